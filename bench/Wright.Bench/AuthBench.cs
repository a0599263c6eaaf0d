using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Server;
using Wright.Server.Hosting;

namespace Wright.Bench;

/// <summary>
/// Authenticated request overhead: <c>GET /api/projects</c> with a bearer access token and with a
/// personal access token vs an anonymous twin endpoint that does the same work (the same project
/// list of the same user) with no authentication or authorization, all on one in-process server.
/// </summary>
internal static class AuthBench
{
    private const string Password = "bench-admin-password";
    private const int Requests = 3000;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        Actor? admin = null;
        var options = new ServerOptions { Port = 0, DataDir = Path.Combine(work, "auth-data"), AdminPassword = Password };
        await using var app = WrightServer.Build(
            options,
            b => b.Logging.ClearProviders(),
            api => api.MapGet("/bench/projects-anonymous", async (int? limit, ProjectService projects, CancellationToken ct) =>
                {
                    var page = await projects.ListAsync(admin!, PageRequest.From(limit, null), includeArchived: false, ct);
                    return TypedResults.Ok(page.Items.Select(p => new { p.Id, p.Name, Path = p.RootPath, p.CreatedAt, p.UpdatedAt, Archived = p.IsArchived, p.ArchivedAt }).ToList());
                })
                .AllowAnonymous());
        var address = await WrightServer.StartAsync(app, cancellationToken);
        var user = await app.Services.GetRequiredService<IUserRepository>().FindByNameAsync("admin", cancellationToken);
        admin = new Actor(user!.Id, user.UserName, user.Role);

        using var bearer = new HttpClient { BaseAddress = address };
        using (var login = await bearer.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = Password }, cancellationToken))
        {
            login.EnsureSuccessStatusCode();
            using var json = await JsonDocument.ParseAsync(await login.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("accessToken").GetString());
        }

        using var pat = new HttpClient { BaseAddress = address };
        using (var created = await bearer.PostAsJsonAsync("/api/tokens", new { name = "bench" }, cancellationToken))
        {
            created.EnsureSuccessStatusCode();
            using var json = await JsonDocument.ParseAsync(await created.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            pat.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("token").GetString());
        }

        using var anonymous = new HttpClient { BaseAddress = address };
        for (var i = 0; i < 20; i++)
        {
            (await bearer.PostAsJsonAsync("/api/projects", new { name = $"p{i}", path = Path.Combine(work, "auth-projects", $"p{i}") }, cancellationToken)).EnsureSuccessStatusCode();
        }

        var samples = new Dictionary<string, List<double>> { ["anonymous"] = [], ["access token"] = [], ["personal token"] = [] };
        var targets = new (string Name, HttpClient Client, string Url)[]
        {
            ("anonymous", anonymous, "/api/bench/projects-anonymous?limit=50"),
            ("access token", bearer, "/api/projects?limit=50"),
            ("personal token", pat, "/api/projects?limit=50"),
        };

        // Warm up every path, then interleave the three so drift affects them alike.
        for (var round = -200; round < Requests; round++)
        {
            foreach (var (name, client, url) in targets)
            {
                var clock = Stopwatch.StartNew();
                using var response = await client.GetAsync(url, cancellationToken);
                await response.Content.ReadAsByteArrayAsync(cancellationToken);
                response.EnsureSuccessStatusCode();
                if (round >= 0)
                {
                    samples[name].Add(clock.Elapsed.TotalMilliseconds * 1000);
                }
            }
        }

        var baseline = Measure.Percentile(samples["anonymous"], 50);
        foreach (var (name, values) in samples)
        {
            var p50 = Measure.Percentile(values, 50);
            Console.WriteLine($"auth: GET projects ({name}) p50 {p50:F0} µs, p99 {Measure.Percentile(values, 99):F0} µs, mean {values.Average():F0} µs -> p50 ratio {p50 / baseline:F2}x vs anonymous ({Requests} requests each, 20 projects listed)");
        }

        await app.StopAsync(cancellationToken);
    }
}
