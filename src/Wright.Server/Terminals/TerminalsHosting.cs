using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Wright.Core.Terminals;

namespace Wright.Server.Terminals;

internal static class TerminalsHosting
{
    /// <summary>Terminals with their options from <c>Wright:Terminals</c>, and the start-up and shutdown work they need.</summary>
    public static IServiceCollection AddWrightTerminals(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = new TerminalOptions();
            provider.GetRequiredService<IConfiguration>().GetSection(TerminalOptions.Section).Bind(options);
            return options;
        });
        services.AddTerminals();
        services.AddHostedService<TerminalsLifetime>();
        return services;
    }
}

/// <summary>Records the end of shells that ended while the server was down; on stop, ends the shells the server holds itself.</summary>
internal sealed class TerminalsLifetime : IHostedService
{
    private readonly TerminalService _terminals;

    public TerminalsLifetime(TerminalService terminals)
    {
        _terminals = terminals;
    }

    public Task StartAsync(CancellationToken cancellationToken) => _terminals.ReconcileAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await _terminals.DisposeAsync();
}
