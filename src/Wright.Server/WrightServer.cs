using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Hosting;
using Wright.Core.Events;
using Wright.Server.Accounts;
using Wright.Server.Cluster;
using Wright.Server.Agents;
using Wright.Server.Secrets;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Projects;
using Wright.Core.Workspace;
using Wright.Server.Conversations;
using Wright.Server.Engine;
using Wright.Server.Events;
using Wright.Server.Files;
using Wright.Server.Flows;
using Wright.Server.Git;
using Wright.Server.Health;
using Wright.Server.Hosting;
using Wright.Server.Llm;
using Wright.Server.Problems;
using Wright.Server.Commands;
using Wright.Server.Previews;
using Wright.Server.Projects;
using Wright.Server.Workbench;
using Wright.Server.Web;
using Wright.Server.Sandbox;
using Wright.Server.Terminals;
using Wright.Storage;
using Wright.Storage.Database;

namespace Wright.Server;

/// <summary>The Wright server: this file is its table of contents, one line per concern.</summary>
public static class WrightServer
{
    /// <summary>
    /// Builds the server for <paramref name="options"/>; <paramref name="configure"/> lets tests adjust
    /// services (logging, clock) and <paramref name="mapApi"/> lets them add endpoints to the /api group.
    /// </summary>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null, Action<IEndpointRouteBuilder>? mapApi = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WrightServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (!options.ReadsEnvironment)
        {
            foreach (var source in builder.Configuration.Sources.OfType<EnvironmentVariablesConfigurationSource>().ToList())
            {
                builder.Configuration.Sources.Remove(source);
            }
        }

        // The one setting of ServerOptions that comes from configuration (Wright__MaxFileBytes),
        // read before the options are checked so a bad value is reported like a bad flag.
        options.MaxFileBytes = builder.Configuration.GetValue(WrightConfigNames.MaxFileBytesKey, options.MaxFileBytes);
        // The one validation of the server's options: a bad one stops here with every problem
        // listed, before anything listens or touches the data directory.
        ServerOptionsValidator.ThrowIfInvalid(options);

        var wright = new WrightOptions
        {
            DataDir = Path.GetFullPath(options.DataDir),
            MaxFileBytes = options.MaxFileBytes,
            AllowHardLinks = builder.Configuration.GetValue(WrightConfigNames.AllowHardLinksKey, false),
        };
        Directory.CreateDirectory(wright.DataDir);

        var certificate = Tls.LoadCertificate(options);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = RequestLimits.DefaultBodyBytes;

            // Kestrel answers a request line over its limit with a bare 414 that no middleware
            // sees; with room to spare, RequestTargetLimit answers it as a problem instead.
            kestrel.Limits.MaxRequestLineSize = RequestTargetLimit.KestrelLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestTargetLimit.KestrelLineBytes + (32 * 1024);
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }
        });

        // A connection's request code runs on the thread-pool thread that read its bytes, and a
        // flushed response is sent by the flushing thread, instead of each being handed to another
        // pool thread: two thread wake-ups fewer on a request's way in and one on a response's way
        // out, most of a millisecond of a prompt's first token on an idle machine. Safe here because
        // socket completions still run on the thread pool, never on the sockets' event thread (the
        // runtime's inline completions stay off), so code that blocks holds up only its own
        // connection; and nothing reads a request body synchronously.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseUrls(ListenUrl(certificate is null ? "http" : "https", options.Host, options.Port));

        builder.Services.AddServerOptions(options);
        builder.Services.AddSingleton(wright);
        builder.Services.AddWrightProblems();
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        builder.Services.AddOpenApi();
        builder.Services.AddStorage(options.Database, wright.DataDir);
        builder.Services.AddSecrets(wright.DataDir);
        builder.Services.AddWrightAccounts(builder.Configuration);
        builder.Services.AddEvents();
        builder.Services.AddGit();
        builder.Services.AddWrightProjects();
        builder.Services.AddSingleton<Projects.CloneOperations>();
        builder.Services.AddWorkspace();
        builder.Services.AddProjectSearch();
        builder.Services.AddWrightLlm();
        builder.Services.AddWrightConversations();
        builder.Services.AddWrightEngine();
        builder.Services.AddCluster(builder.Configuration);
        builder.Services.AddWrightTerminals();
        builder.Services.AddWrightSandbox();
        builder.Services.AddAgentMonitor();
        builder.Services.AddWrightPreviews();
        builder.Services.AddWrightBackgroundCommands();
        builder.Services.AddWrightFlows();
        configure?.Invoke(builder);
        builder.Services.AddLogFloodGuard();

        var app = builder.Build();
        app.UsePreviews();
        app.UseSecurityHeaders();
        app.UseRequestTargetLimit();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebApp(options.WebRoot);
        app.UseWrightAccounts();
        app.UseWebSockets();

        app.MapOpenApi();
        app.MapHealth();
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapAuth();
        api.MapTokens();
        api.MapUsers();
        api.MapProjects();
        api.MapFiles();
        api.MapSearchAndMerge();
        api.MapWorkbench();
        api.MapGit();
        api.MapRemotes();
        api.MapEvents();
        api.MapLlm();
        api.MapProviderTest();
        api.MapConversations();
        api.MapEngine();
        Wright.Server.Merges.MergeEndpoints.MapMerges(api);
        api.MapTerminals();
        api.MapAgents();
        api.MapPreviews();
        api.MapBackgroundCommands();
        api.MapFlows();
        mapApi?.Invoke(api);
        return app;
    }

    /// <summary>Migrates the database, then starts listening; returns the address actually bound.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken).ConfigureAwait(false);
        var options = app.Services.GetRequiredService<ServerOptions>();
        var setup = app.Services.GetRequiredService<FirstAdminSetup>();
        await app.Services.GetRequiredService<StartupLock>().RunAsync(ct => setup.PrepareAsync(options.AdminPassword, ct), cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    private static string ListenUrl(string scheme, string host, int port)
    {
        var bracketed = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return $"{scheme}://{bracketed}:{port}";
    }
}

/// <summary>Request body limits; endpoints that take file contents raise theirs from the configured file size.</summary>
internal static class RequestLimits
{
    public const long DefaultBodyBytes = 1024 * 1024;
}
