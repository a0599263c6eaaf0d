using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Wright.Core.Actions;
using Wright.Core.Sandbox;
using Wright.Core.Terminals;

namespace Wright.Bench;

/// <summary>
/// Terminals against a PTY read in-process (keystroke echo, `cat` of 100 MB, server RSS), and a
/// sandboxed command's start against the same command unconfined.
/// </summary>
internal static partial class TerminalBench
{
    private const int Keystrokes = 300;
    private const long CatBytes = 100L * 1024 * 1024;
    private const int CatRounds = 3;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        var file = Path.Combine(work, "cat-100mb.txt");
        await using (var stream = File.Create(file))
        {
            var line = Encoding.ASCII.GetBytes(new string('x', 79) + "\n");
            for (long written = 0; written < CatBytes; written += line.Length)
            {
                stream.Write(line);
            }
        }

        foreach (var host in new[] { "tmux", "pty" })
        {
            var dataDir = Path.Combine(work, $"terminals-{host}-data");
            var environment = host == "pty" ? new Dictionary<string, string> { ["Wright__Terminals__Tmux"] = "off" } : null;
            await using var server = await ServerProcess.StartAsync(dataDir, cancellationToken, environment);
            try
            {
                await RunHostAsync(server, host, work, file, host == "tmux" ? TmuxServer.Find(null, Path.Combine(dataDir, "terminals"), 10_000) : null, cancellationToken);
            }
            finally
            {
                var tmux = TmuxServer.Find(null, Path.Combine(dataDir, "terminals"), 10_000);
                if (host == "tmux" && tmux is not null)
                {
                    await tmux.KillServerAsync(cancellationToken);
                }
            }
        }

        await SandboxStartAsync(work, cancellationToken);
    }

    /// <summary>
    /// The second anchor of the tmux path: the same `cat` in a session of the same tmux server,
    /// its `tmux attach` client read straight from a PTY in-process — tmux's own cost, without
    /// Wright's relay (the WebSocket, the pump, the attachment).
    /// </summary>
    private static async Task RunHostAsync(ServerProcess server, string host, string work, string file, TmuxServer? tmux, CancellationToken cancellationToken)
    {
        using var client = await server.CreateClientAsync(cancellationToken);
        var created = await client.PostAsJsonAsync("/api/projects", new { name = "terminals", path = Path.Combine(work, $"terminals-{host}-project") }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<Ref>(cancellationToken))!;
        var opened = await client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { shell = "/bin/bash", cols = 120, rows = 40 }, cancellationToken);
        opened.EnsureSuccessStatusCode();
        var terminal = (await opened.Content.ReadFromJsonAsync<Ref>(cancellationToken))!;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", client.DefaultRequestHeaders.Authorization!.ToString());
        await socket.ConnectAsync(new Uri(server.BaseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal) + $"api/terminals/{terminal.Id}/attach"), cancellationToken);
        var remote = new SocketReader(socket);
        await remote.SendAsync("export PS1='$ '; stty -ixon; echo READY-$((1+1))\r", cancellationToken);
        await remote.ReadUntilAsync("READY-2", cancellationToken);

        await using var local = PtyProcess.Start("/bin/bash", ["--norc", "--noprofile", "-i"], TmuxServer.Environment(), work, 120, 40);
        var anchor = new PtyReader(local);
        await anchor.SendAsync("export PS1='$ '; echo READY-$((1+1))\r", cancellationToken);
        await anchor.ReadUntilAsync("READY-2", cancellationToken);

        var subjectMs = new List<double>();
        var anchorMs = new List<double>();
        for (var i = 0; i < Keystrokes; i++)
        {
            subjectMs.Add(await EchoAsync(remote, cancellationToken));
            anchorMs.Add(await EchoAsync(anchor, cancellationToken));
        }

        await remote.SendAsync("\u0015", cancellationToken);
        await anchor.SendAsync("\u0015", cancellationToken);
        double P(List<double> s, double p) => Measure.Percentile(s, p);
        Console.WriteLine($"terminal[{host}]: keystroke echo p50 {P(subjectMs, 50):F2} ms, p99 {P(subjectMs, 99):F2} ms through the WebSocket; in-process PTY p50 {P(anchorMs, 50):F2} ms, p99 {P(anchorMs, 99):F2} ms -> added p50 {P(subjectMs, 50) - P(anchorMs, 50):F2} ms, p99 {P(subjectMs, 99) - P(anchorMs, 99):F2} ms");

        // The WebSocket `cat` and its anchors alternate, CatRounds times each, so a change of the
        // machine's load hits all of them alike; the medians are compared.
        var baseline = server.ResidentBytes();
        var peak = baseline;
        var subjects = new List<TimeSpan>();
        var anchors = new List<TimeSpan>();
        var directs = new List<TimeSpan>();
        long received = 0;
        for (var round = 0; round < CatRounds; round++)
        {
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, server.ResidentBytes());
                    await Task.Delay(20, CancellationToken.None);
                }
            }, CancellationToken.None);
            var clock = Stopwatch.StartNew();
            remote.Received = 0;
            // A marker of this round's own: tmux may repaint the last round's from the screen.
            await remote.SendAsync($"cat {file}; echo CAT-END-{round}-$((20+22))\r", cancellationToken);
            await remote.ReadUntilAsync($"CAT-END-{round}-42", cancellationToken);
            subjects.Add(clock.Elapsed);
            received = remote.Received;
            await sampling.CancelAsync();
            await sampler;

            clock.Restart();
            await using (var cat = PtyProcess.Start("/bin/cat", [file], TmuxServer.Environment(), work, 120, 40))
            {
                var buffer = new byte[64 * 1024];
                while (await cat.ReadAsync(buffer, cancellationToken) > 0)
                {
                }
            }

            anchors.Add(clock.Elapsed);
            if (tmux is not null)
            {
                directs.Add(await TmuxDirectCatAsync(tmux, work, file, cancellationToken));
            }
        }

        var subject = Measure.Median(subjects);
        var anchorTime = Measure.Median(anchors);
        if (tmux is not null)
        {
            var direct = Measure.Median(directs);
            Console.WriteLine($"terminal[{host}]: cat 100 MB with `tmux attach` read in-process (no relay) {Measure.Ms(direct)} -> tmux alone {direct / anchorTime:F2}x the local PTY; Wright's relay {subject / direct:F2}x on top of tmux");
        }

        Console.WriteLine($"terminal[{host}]: cat 100 MB through the WebSocket {Measure.Ms(subject)} ({received / 1_048_576.0:F1} MB reached the client); cat into a local PTY read by a plain reader {Measure.Ms(anchorTime)} -> ratio {subject / anchorTime:F2}x (medians of {CatRounds}, alternated); server RSS {baseline / 1_048_576} MB before, peak {peak / 1_048_576} MB; load average {LoadAverage()}");
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
    }


    private static async Task<TimeSpan> TmuxDirectCatAsync(TmuxServer tmux, string work, string file, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await tmux.CreateSessionAsync(id, "/bin/bash", work, 120, 40, cancellationToken);
        await using var client = tmux.Attach(id, 120, 40);
        var reader = new PtyReader(client);
        await reader.SendAsync("export PS1='$ '; stty -ixon; echo READY-$((1+1))\r", cancellationToken);
        await reader.ReadUntilAsync("READY-2", cancellationToken);
        var clock = Stopwatch.StartNew();
        await reader.SendAsync($"cat {file}; echo CAT-END-$((20+22))\r", cancellationToken);
        await reader.ReadUntilAsync("CAT-END-42", cancellationToken);
        var direct = clock.Elapsed;
        await tmux.KillSessionAsync(id, cancellationToken);
        return direct;
    }

    private static async Task<double> EchoAsync(IEcho echo, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await echo.SendAsync("x", cancellationToken);
        await echo.ReadUntilAsync("x", cancellationToken);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// A sandboxed `true` against the same unconfined, alternated, with the parts of the policy
    /// taken apart: bubblewrap's floor (new namespaces around a read-only root and nothing else),
    /// the policy without the shell that sets the memory limit, and the policy with the network off.
    /// </summary>
    private static async Task SandboxStartAsync(string work, CancellationToken cancellationToken)
    {
        var project = Path.Combine(work, "sandbox-project");
        var offline = Path.Combine(work, "sandbox-offline-project");
        Directory.CreateDirectory(project);
        Directory.CreateDirectory(Path.Combine(offline, ".wright"));
        await File.WriteAllTextAsync(Path.Combine(offline, ".wright", "config"), "{ \"network\": false }\n", cancellationToken);
        var dataDir = Path.Combine(work, "sandbox-data");
        var sandbox = new CommandSandbox(new SandboxOptions { DataDir = dataDir });
        var noLimitShell = new CommandSandbox(new SandboxOptions { DataDir = dataDir, MemoryBytes = 0 });
        var unconfined = new CommandSandbox(new SandboxOptions { Bwrap = "off" });
        if (!sandbox.IsAvailable)
        {
            Console.WriteLine("sandbox: bubblewrap is not available here; nothing to measure");
            return;
        }

        var command = new CommandAction("true", []);
        var variants = new (string Name, Func<Task> Run)[]
        {
            ("unconfined", () => CommandHandler.RunAsync(command, project, null, unconfined, cancellationToken)),
            ("sandboxed", () => CommandHandler.RunAsync(command, project, null, sandbox, cancellationToken)),
            ("floor", () => RunAsync("bwrap", ["--ro-bind", "/", "/", "--unshare-user", "--", "true"], cancellationToken)),
            ("no-limit-shell", () => CommandHandler.RunAsync(command, project, null, noLimitShell, cancellationToken)),
            ("network-off", () => CommandHandler.RunAsync(command, offline, null, sandbox, cancellationToken)),
        };
        var samples = variants.ToDictionary(v => v.Name, _ => new List<TimeSpan>());
        foreach (var (_, run) in variants)
        {
            await run();
        }

        for (var i = 0; i < 30; i++)
        {
            foreach (var (name, run) in variants)
            {
                samples[name].Add(await Measure.TimeAsync(run));
            }
        }

        double Added(string name) => (Measure.Median(samples[name]) - Measure.Median(samples["unconfined"])).TotalMilliseconds;
        Console.WriteLine($"sandbox: `true` under bubblewrap {Measure.Ms(Measure.Median(samples["sandboxed"]))}, unconfined {Measure.Ms(Measure.Median(samples["unconfined"]))} (medians of 30, alternated) -> added {Added("sandboxed"):F1} ms (target <= 20 ms); load average {LoadAverage()}");
        Console.WriteLine($"sandbox profile (added over unconfined): bubblewrap's floor (user+mount namespaces, read-only root) {Added("floor"):F1} ms; the policy without the memory-limit shell {Added("no-limit-shell"):F1} ms; the policy with the network off (a network namespace) {Added("network-off"):F1} ms");
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken), process.WaitForExitAsync(cancellationToken));
    }

    private interface IEcho
    {
        Task SendAsync(string text, CancellationToken cancellationToken);

        Task ReadUntilAsync(string text, CancellationToken cancellationToken);
    }

    /// <summary>Reads a terminal's WebSocket as a plain client would: bytes, searched for a marker (no decoding).</summary>
    private sealed class SocketReader(ClientWebSocket socket) : IEcho
    {
        private readonly byte[] _buffer = new byte[256 * 1024];

        public long Received { get; set; }

        public Task SendAsync(string text, CancellationToken cancellationToken) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, true, cancellationToken);

        public async Task ReadUntilAsync(string text, CancellationToken cancellationToken)
        {
            var marker = Encoding.UTF8.GetBytes(text);
            var carry = Array.Empty<byte>();
            while (true)
            {
                var received = await socket.ReceiveAsync(_buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The terminal closed before '{text}' arrived.");
                }

                Received += received.Count;
                // The marker may straddle two frames: the last bytes of the ones before are kept.
                var chunk = _buffer.AsSpan(0, received.Count);
                byte[] edge = [.. carry, .. chunk[..Math.Min(chunk.Length, marker.Length - 1)]];
                if (chunk.IndexOf(marker) >= 0 || edge.AsSpan().IndexOf(marker) >= 0)
                {
                    return;
                }

                byte[] tail = [.. carry, .. chunk[^Math.Min(chunk.Length, marker.Length - 1)..]];
                carry = tail[^Math.Min(tail.Length, marker.Length - 1)..];
            }
        }
    }

    private sealed class PtyReader(PtyProcess pty) : IEcho
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private string _tail = "";

        public Task SendAsync(string text, CancellationToken cancellationToken) => pty.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

        public async Task ReadUntilAsync(string text, CancellationToken cancellationToken)
        {
            while (!_tail.Contains(text, StringComparison.Ordinal))
            {
                var n = await pty.ReadAsync(_buffer, cancellationToken);
                var chunk = Encoding.UTF8.GetString(_buffer, 0, n);
                _tail = (_tail + chunk)[^Math.Min(_tail.Length + chunk.Length, 4096)..];
            }

            _tail = "";
        }
    }

    private sealed record Ref(Guid Id);

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
