using Microsoft.Extensions.Configuration;
using Wright.Core.Hosting;
using Wright.Core.Sandbox;

namespace Wright.Server.Sandbox;

internal static class SandboxHosting
{
    /// <summary>The sandbox of the model's commands, configured from <c>Wright:Sandbox</c>, hiding this server's data directory.</summary>
    public static IServiceCollection AddWrightSandbox(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = new SandboxOptions();
            provider.GetRequiredService<IConfiguration>().GetSection(SandboxOptions.Section).Bind(options);
            options.DataDir = provider.GetRequiredService<WrightOptions>().DataDir;
            return options;
        });
        services.AddSandbox();
        return services;
    }
}
