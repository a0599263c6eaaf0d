using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Wright.Server.Hosting;

/// <summary>
/// Keeps a flood of identical log lines from filling the disk: the same line (level, category,
/// event id and rendered message) is written at most <see cref="LinesPerWindow"/> times per
/// <see cref="Window"/>; the rest are counted, and the first line of the next window says how many
/// were left out. A client that makes the server fail the same way a thousand times a minute then
/// costs a few lines, while distinct events are all kept.
/// </summary>
internal sealed class LogFloodGuard
{
    public const int LinesPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Distinct lines tracked at once; past this the table starts over rather than grow without bound.</summary>
    private const int MaxTrackedLines = 10_000;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, LineCount> _lines = new(StringComparer.Ordinal);

    public LogFloodGuard(TimeProvider time) => _time = time;

    /// <summary>Whether this occurrence of <paramref name="key"/> may be written, and how many were suppressed before it.</summary>
    public (bool Write, int Suppressed) Admit(string key)
    {
        if (_lines.Count > MaxTrackedLines)
        {
            _lines.Clear();
        }

        var now = _time.GetUtcNow();
        var count = _lines.GetOrAdd(key, _ => new LineCount(now));
        lock (count)
        {
            var suppressed = 0;
            if (now - count.WindowStart >= Window)
            {
                suppressed = count.Suppressed;
                count.WindowStart = now;
                count.Written = 0;
                count.Suppressed = 0;
            }

            if (count.Written < LinesPerWindow)
            {
                count.Written++;
                return (true, suppressed);
            }

            count.Suppressed++;
            return (false, 0);
        }
    }

    private sealed class LineCount(DateTimeOffset windowStart)
    {
        public DateTimeOffset WindowStart { get; set; } = windowStart;

        public int Written { get; set; }

        public int Suppressed { get; set; }
    }
}

/// <summary>Wraps a logger provider so that every logger it makes goes through the <see cref="LogFloodGuard"/>.</summary>
internal sealed class FloodGuardedLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ILoggerProvider _inner;
    private readonly LogFloodGuard _guard;

    public FloodGuardedLoggerProvider(ILoggerProvider inner, LogFloodGuard guard)
    {
        _inner = inner;
        _guard = guard;
    }

    public ILogger CreateLogger(string categoryName) => new GuardedLogger(_inner.CreateLogger(categoryName), categoryName, _guard);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (_inner is ISupportExternalScope scoped)
        {
            scoped.SetScopeProvider(scopeProvider);
        }
    }

    public void Dispose() => _inner.Dispose();

    private sealed class GuardedLogger(ILogger inner, string category, LogFloodGuard guard) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var (write, suppressed) = guard.Admit($"{(int)logLevel}|{category}|{eventId.Id}|{formatter(state, exception)}");
            if (!write)
            {
                return;
            }

            if (suppressed > 0)
            {
                inner.Log(logLevel, eventId, suppressed, null, static (n, _) => $"The next line was repeated {n} more times in the last minute; those repeats were not logged.");
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}

internal static class LogFloodGuardExtensions
{
    /// <summary>Puts every logger provider registered so far behind one <see cref="LogFloodGuard"/>; call it after logging is configured.</summary>
    public static IServiceCollection AddLogFloodGuard(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LogFloodGuard>();
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(ILoggerProvider) || descriptor.IsKeyedService)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new FloodGuardedLoggerProvider(Create(sp, descriptor), sp.GetRequiredService<LogFloodGuard>()));
        }

        return services;
    }

    private static ILoggerProvider Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (ILoggerProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
