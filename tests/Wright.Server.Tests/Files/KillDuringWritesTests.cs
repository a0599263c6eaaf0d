using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Files;

/// <summary>The real `wright serve` in its own process, killed with SIGKILL in the middle of a burst of writes.</summary>
public sealed class KillDuringWritesTests
{
    private readonly ITestOutputHelper _output;

    public KillDuringWritesTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private const int FileCount = 24;
    private const int ContentBytes = 256 * 1024;

    [Fact]
    public async Task SigkillDuringWriteBurst_LeavesEveryFileOldOrNewNeverTorn()
    {
        using var dataDir = new TempDirectory("wright-kill");
        var versionA = Content('A');
        var versionB = Content('B');
        ProjectInfo project;
        using (var first = await CliServer.StartAsync(dataDir.Path))
        {
            project = await first.CreateProjectAsync(Path.Combine(dataDir.Path, "projects", "burst"));
            for (var i = 0; i < FileCount; i++)
            {
                (await first.Client.PutAsJsonAsync(FileUrl(project, i), new { content = versionA }).Bounded()).EnsureSuccessStatusCode();
            }

            // Three rounds of concurrent writes, killed as soon as the first one has answered:
            // the rest are in flight (some writing their temp file, some renaming) when it dies.
            var burst = Enumerable.Range(0, FileCount * 3)
                .Select(n => first.Client.PutAsJsonAsync(FileUrl(project, n % FileCount), new { content = versionB }))
                .ToList();
            var answered = await Task.WhenAny(burst).Bounded();
            first.Kill();
            (await answered).IsSuccessStatusCode.ShouldBeTrue();
            await Task.WhenAll(burst.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).Bounded();
        }

        var counts = new Dictionary<char, int> { ['A'] = 0, ['B'] = 0 };
        for (var i = 0; i < FileCount; i++)
        {
            var text = await File.ReadAllTextAsync(Path.Combine(project.Path, "data", $"file-{i}.txt")).Bounded();
            (text == versionA || text == versionB).ShouldBeTrue($"file-{i}.txt is torn: {text.Length} chars, starts '{text[..Math.Min(20, text.Length)]}'");
            counts[text[0]]++;
        }

        var leftovers = Directory.EnumerateFiles(Path.Combine(project.Path, "data"), ".wright-tmp-*").Count();
        _output.WriteLine($"after SIGKILL: {counts['A']} old, {counts['B']} new, {leftovers} temp files left by interrupted writes");
        counts['B'].ShouldBeGreaterThan(0, "the write that answered before the kill must have landed");

        using var second = await CliServer.StartAsync(dataDir.Path);
        var tree = await second.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/tree?path=data").Bounded();
        var names = tree.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToList();
        names.Count.ShouldBe(FileCount, string.Join(", ", names));
        names.ShouldAllBe(n => n.StartsWith("file-", StringComparison.Ordinal));
    }

    private static string FileUrl(ProjectInfo project, int i) => $"/api/projects/{project.Id}/files/data/file-{i}.txt";

    private static string Content(char version)
    {
        var builder = new StringBuilder(ContentBytes);
        while (builder.Length < ContentBytes)
        {
            builder.Append(version).Append(" version ").Append(version).Append(" line ").Append(builder.Length).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>`dotnet wright.dll serve --port 0` as a child process, with its stdout drained so logging never blocks it.</summary>
    private sealed class CliServer : IDisposable
    {
        private readonly Process _process;

        private CliServer(Process process, Uri baseAddress)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = baseAddress, Timeout = TestTimeouts.Default };
        }

        public HttpClient Client { get; }

        public static async Task<CliServer> StartAsync(string dataDir)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "wright.dll"), "serve", "--port", "0", "--data-dir", dataDir },
            };
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword;
            var process = Process.Start(start)!;
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                const string Marker = "Wright is listening on ";
                if (e.Data?.StartsWith(Marker, StringComparison.Ordinal) == true)
                {
                    listening.TrySetResult(new Uri(e.Data[Marker.Length..].Trim()));
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"wright serve exited with {process.ExitCode} before listening"));
            process.EnableRaisingEvents = true;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                var server = new CliServer(process, await listening.Task.Bounded());
                await server.LogInAsync();
                return server;
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        /// <summary>Logs in as the admin WRIGHT_ADMIN_PASSWORD created on the first start, and sends its access token from then on.</summary>
        private async Task LogInAsync()
        {
            var response = await Client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = WrightTestServer.AdminPassword }).Bounded();
            response.EnsureSuccessStatusCode();
            var login = (await response.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
            Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.AccessToken);
        }

        public async Task<ProjectInfo> CreateProjectAsync(string path)
        {
            var response = await Client.PostAsJsonAsync("/api/projects", new { name = "burst", path }).Bounded();
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
        }

        /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit(TestTimeouts.Default);
        }

        public void Dispose()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TestTimeouts.Default);
            }

            _process.Dispose();
        }
    }
}
