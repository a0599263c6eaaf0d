using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Server;
using Wright.Server.Hosting;

namespace Wright.Bench;

/// <summary>
/// The agent monitor's hook path. (1) Ingest: <c>POST /api/hooks/{event}</c> round trips over
/// loopback (a session's prompt, tool uses and stop, 20 sessions interleaved), p50/p99, against an
/// anonymous endpoint that reads the same body and answers 204 (the anchor: HTTP and auth aside
/// from the monitor's own work). (2) One hook as a process: `wright hook` against `curl` posting
/// the same payload (the seed's way), and an HTTP hook (one POST from a warm client: what Claude
/// Code's HTTP hooks cost, no process at all).
/// </summary>
internal static class HooksBench
{
    private const string Password = "bench-admin-password";
    private const int Rounds = 400;
    private const int ProcessRuns = 25;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        var options = new ServerOptions { Port = 0, DataDir = Path.Combine(work, "hooks-data"), AdminPassword = Password };
        await using var app = WrightServer.Build(
            options,
            b => b.Logging.ClearProviders(),
            api => api.MapPost("/bench/hook-anchor/{event}", async (string @event, HttpContext http) =>
                {
                    using var body = new MemoryStream();
                    await http.Request.Body.CopyToAsync(body, http.RequestAborted);
                    return TypedResults.NoContent();
                })
                .AllowAnonymous());
        var address = await WrightServer.StartAsync(app, cancellationToken);
        var user = await app.Services.GetRequiredService<IUserRepository>().FindByNameAsync("admin", cancellationToken);
        var token = (await app.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, user!.Id, "bench-hooks", null, [TokenScopes.Hooks], cancellationToken)).Secret;

        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var cwd = Path.Combine(work, "hooks-project");
        string Payload(string name, int session) =>
            $"{{\"session_id\":\"bench-{session}\",\"cwd\":\"{cwd}-{session % 5}\",\"hook_event_name\":\"{name}\",\"prompt\":\"do it\",\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":\"ls\"}},\"last_assistant_message\":\"done\"}}";
        string[] cycle = ["UserPromptSubmit", "PreToolUse", "PostToolUse", "PreToolUse", "PostToolUse", "Stop"];

        var ingest = new List<double>();
        var anchor = new List<double>();
        for (var round = -50; round < Rounds; round++)
        {
            var name = cycle[(round + 50) % cycle.Length];
            var session = (round + 50) / cycle.Length % 20;
            var payload = Payload(name, session);
            var hook = await PostAsync(client, $"/api/hooks/{name}", payload, cancellationToken);
            var bare = await PostAsync(client, $"/api/bench/hook-anchor/{name}", payload, cancellationToken);
            if (round >= 0)
            {
                ingest.Add(hook);
                anchor.Add(bare);
            }
        }

        var p50 = Measure.Percentile(ingest, 50);
        Console.WriteLine($"hooks: ingest POST /api/hooks p50 {p50:F0} µs, p99 {Measure.Percentile(ingest, 99):F0} µs; anchor (same body, 204, no auth) p50 {Measure.Percentile(anchor, 50):F0} µs, p99 {Measure.Percentile(anchor, 99):F0} µs -> p50 ratio {p50 / Measure.Percentile(anchor, 50):F2}x ({Rounds} hooks, 20 sessions)");

        // One hook as a process, the payload of a real PreToolUse.
        var payloadFile = Path.Combine(work, "hook-payload.json");
        await File.WriteAllTextAsync(payloadFile, Payload("PreToolUse", 0), cancellationToken);
        var url = new Uri(address, "/api/hooks/PreToolUse").ToString();
        var wright = new List<TimeSpan>();
        var curl = new List<TimeSpan>();
        var http = new List<TimeSpan>();
        var native = new List<TimeSpan>();
        var dll = Path.Combine(AppContext.BaseDirectory, "wright.dll");

        // wright-hook (NativeAOT) when published: WRIGHT_HOOK_NATIVE, or beside wright.dll.
        var nativeHook = Environment.GetEnvironmentVariable("WRIGHT_HOOK_NATIVE") is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "wright-hook");
        var hasNative = File.Exists(nativeHook);
        for (var i = -3; i < ProcessRuns; i++)
        {
            var w = await RunAsync("dotnet", [dll, "hook", "PreToolUse", "--url", address.ToString()], payloadFile, token, cancellationToken);
            var c = await RunAsync("curl", ["-s", "-o", "/dev/null", "-X", "POST", "-H", "Content-Type: application/json", "-H", $"Authorization: Bearer {token}", "--data-binary", "@-", url], payloadFile, token, cancellationToken);
            var h = TimeSpan.FromTicks((long)(await PostAsync(client, "/api/hooks/PreToolUse", Payload("PreToolUse", 0), cancellationToken) * TimeSpan.TicksPerMillisecond / 1000));
            var n = hasNative ? await RunAsync(nativeHook, ["hook", "PreToolUse", "--url", address.ToString()], payloadFile, token, cancellationToken) : TimeSpan.Zero;
            if (i >= 0)
            {
                native.Add(n);
                wright.Add(w);
                curl.Add(c);
                http.Add(h);
            }
        }

        var wm = Measure.Median(wright);
        var cm = Measure.Median(curl);
        var hm = Measure.Median(http);
        Console.WriteLine($"hooks: one hook as a process: `wright hook` median {Measure.Ms(wm)}, curl median {Measure.Ms(cm)} -> ratio {wm / cm:F2}x (target <= 1.2x); HTTP hook (one POST, no process) median {Measure.Ms(hm)} -> {cm / hm:F1}x faster than curl, {wm / hm:F1}x faster than `wright hook` ({ProcessRuns} runs each)");
        if (hasNative)
        {
            var nm = Measure.Median(native);
            Console.WriteLine($"hooks: `wright-hook` (NativeAOT) median {Measure.Ms(nm)} vs curl {Measure.Ms(cm)} -> ratio {nm / cm:F2}x (target <= 1.2x); vs the HTTP hook {nm / hm:F1}x");
        }
        else
        {
            Console.WriteLine("hooks: wright-hook not published (dotnet publish src/Wright.Hook -c Release -r linux-x64 -o <dir>; WRIGHT_HOOK_NATIVE=<dir>/wright-hook): its ratio is not measured");
        }

        await app.StopAsync(cancellationToken);
    }

    private static async Task<double> PostAsync(HttpClient client, string url, string payload, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync(url, new StringContent(payload, Encoding.UTF8, "application/json"), cancellationToken);
        response.EnsureSuccessStatusCode();
        return clock.Elapsed.TotalMilliseconds * 1000;
    }

    private static async Task<TimeSpan> RunAsync(string program, string[] arguments, string stdinFile, string token, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["WRIGHT_TOKEN"] = token;
        var payload = await File.ReadAllBytesAsync(stdinFile, cancellationToken);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardInput.BaseStream.WriteAsync(payload, cancellationToken);
        process.StandardInput.Close();
        await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return clock.Elapsed;
    }
}
