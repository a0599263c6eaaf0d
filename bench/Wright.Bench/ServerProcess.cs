using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Wright.Bench;

/// <summary>A real `wright serve` child process on a free loopback port, as a user would run it.</summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress, TimeSpan startup)
    {
        _process = process;
        BaseAddress = baseAddress;
        Startup = startup;
    }

    /// <summary>The password of the admin the child creates on its first start (WRIGHT_ADMIN_PASSWORD).</summary>
    private const string AdminPassword = "bench-admin-password";

    public Uri BaseAddress { get; }

    /// <summary>A client logged in as the admin, sending its access token as a bearer token.</summary>
    public async Task<HttpClient> CreateClientAsync(CancellationToken cancellationToken, TimeSpan? timeout = null, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = AdminPassword }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var login = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>From process start to the first successful /health answer.</summary>
    public TimeSpan Startup { get; }

    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(string dataDir, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var wrightDll = Path.Combine(AppContext.BaseDirectory, "wright.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { wrightDll, "serve", "--port", "0", "--data-dir", dataDir })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["WRIGHT_ADMIN_PASSWORD"] = AdminPassword;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        Uri? address = null;
        while (address is null)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("wright serve exited before it printed its URL.");
            var match = UrlLine().Match(line);
            if (match.Success)
            {
                address = new Uri(match.Groups[1].Value);
            }
        }

        _ = DrainAsync(process.StandardOutput);
        using var client = new HttpClient { BaseAddress = address };
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/health", timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet: the URL is printed right after Kestrel binds, so retry.
            }
        }

        return new ServerProcess(process, address, clock.Elapsed);
    }

    /// <summary>Resident set size of the server process, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null)
        {
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex UrlLine();
}
