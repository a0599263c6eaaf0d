using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Agents;

namespace Wright.Server.Agents;

/// <summary>The <c>notify-send</c> executable found on the server's PATH, or none.</summary>
public sealed record NotifySend(string? Executable)
{
    /// <summary>The first <c>notify-send</c> in <paramref name="path"/> (a PATH value) that is a file, else none.</summary>
    public static NotifySend FromPath(string? path)
    {
        foreach (var directory in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Path.IsPathFullyQualified(directory))
            {
                // A relative PATH entry would depend on the server's working directory: never run from there.
                continue;
            }

            var candidate = Path.Combine(directory, "notify-send");
            if (File.Exists(candidate))
            {
                return new NotifySend(candidate);
            }
        }

        return new NotifySend((string?)null);
    }
}

/// <summary>
/// Tells the server's desktop when an agent needs input (saying on what) or finished, through
/// <c>notify-send</c>, at most once per agent and kind every <see cref="Interval"/>. Absent
/// <c>notify-send</c> (a headless server) it says so once and does nothing more.
/// </summary>
internal sealed class DesktopNotifier : BackgroundService
{
    /// <summary>Fewest time between two desktop notifications of one kind for one agent.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    /// <summary>notify-send returns at once; one that hangs (no session bus) is stopped after this.</summary>
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(5);

    private readonly AgentBoard _board;
    private readonly NotifySend _notifySend;
    private readonly AgentsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DesktopNotifier> _logger;
    private readonly Dictionary<(Guid Agent, bool Input), DateTimeOffset> _last = [];

    public DesktopNotifier(AgentBoard board, NotifySend notifySend, IOptions<AgentsOptions> options, TimeProvider time, ILogger<DesktopNotifier> logger)
    {
        _board = board;
        _notifySend = notifySend;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether it is listening (notify-send present and not switched off).</summary>
    public bool Enabled => _options.DesktopNotifications && _notifySend.Executable is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            AgentsServerLog.DesktopNotificationsOff(_logger, _options.DesktopNotifications ? "notify-send is not installed" : "Agents:DesktopNotifications is false");
            return;
        }

        using var subscription = _board.SubscribeAll();
        try
        {
            while (await subscription.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (subscription.TryRead(out var evt))
                {
                    if (evt.Data is AgentBoardEvent change && Message(evt.Type, change) is { } message)
                    {
                        await NotifyAsync(change.Summary.Agent.Id, message, stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    /// <summary>
    /// The notification an event calls for: a move to waiting for input, or a completion turn (after
    /// Stop the feed's state reads idle, the task having closed, so the turn is the signal).
    /// </summary>
    public static (bool Input, string Title, string Body)? Message(string type, AgentBoardEvent change)
    {
        var agent = change.Summary.Agent;
        var name = agent.Name ?? (agent.Kind == AgentKinds.Wright ? "Wright session" : "Claude Code");
        var project = change.Summary.Project.Name;
        if (type == AgentEventTypes.State && change.To == AgentTaskState.AwaitingInput && change.From != AgentTaskState.AwaitingInput)
        {
            return (true, $"{name} needs input", $"{project}: waiting on {change.Summary.CurrentTask?.WaitingOn ?? "your input"}");
        }

        if (type == AgentEventTypes.Turn && change.Turn is { Intent: TurnIntent.Completion } turn)
        {
            return (false, $"{name} finished", $"{project}: {Clip(turn.Text) ?? "task complete"}");
        }

        return null;
    }

    internal async Task NotifyAsync(Guid agentId, (bool Input, string Title, string Body) message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_last.TryGetValue((agentId, message.Input), out var last) && now - last < Interval)
        {
            return;
        }

        _last[(agentId, message.Input)] = now;
        var start = new ProcessStartInfo(_notifySend.Executable!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--app-name=Wright");
        start.ArgumentList.Add(message.Input ? "--urgency=critical" : "--urgency=normal");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(message.Title);
        start.ArgumentList.Add(message.Body);
        try
        {
            using var process = Process.Start(start)!;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(ProcessLimit);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Ours, started just above: a notify-send without a desktop to talk to must not pile up.
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // A missing or broken notify-send costs the notification, never the monitor.
            AgentsServerLog.DesktopNotificationFailed(_logger, ex, agentId);
        }
    }

    private static string? Clip(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 160 ? line[..159] + "…" : line;
    }
}
