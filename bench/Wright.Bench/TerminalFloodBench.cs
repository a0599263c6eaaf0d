using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Wright.Core.Terminals;

namespace Wright.Bench;

/// <summary>
/// Twenty terminals flooding at once (`yes`), each with a WebSocket client that drains its output,
/// a slow client that reads nothing beside them, and one quiet terminal whose keystroke echo is
/// timed all along, against the same echo on a PTY read in-process during the same flood. Server
/// RSS is sampled against the bound the design gives. Bounded in time; it stops everything it started.
/// </summary>
internal static partial class TerminalBench
{
    private const int FloodingTerminals = 20;
    private static readonly TimeSpan FloodTime = TimeSpan.FromSeconds(15);

    public static async Task RunFloodAsync(string work, CancellationToken cancellationToken)
    {
        foreach (var host in new[] { "tmux", "pty" })
        {
            var dataDir = Path.Combine(work, $"flood-{host}-data");
            var environment = host == "pty" ? new Dictionary<string, string> { ["Wright__Terminals__Tmux"] = "off" } : null;
            await using var server = await ServerProcess.StartAsync(dataDir, cancellationToken, environment);
            try
            {
                await FloodAsync(server, host, work, cancellationToken);
            }
            finally
            {
                if (host == "tmux" && TmuxServer.Find(null, Path.Combine(dataDir, "terminals"), 10_000) is { } tmux)
                {
                    await tmux.KillServerAsync(cancellationToken);
                }
            }
        }
    }

    private static async Task FloodAsync(ServerProcess server, string host, string work, CancellationToken cancellationToken)
    {
        using var client = await server.CreateClientAsync(cancellationToken);
        var created = await client.PostAsJsonAsync("/api/projects", new { name = "flood", path = Path.Combine(work, $"flood-{host}-project") }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<Ref>(cancellationToken))!;
        var wsBase = server.BaseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal);
        var sockets = new List<ClientWebSocket>();
        var terminals = new List<Guid>();

        async Task<(Guid Terminal, ClientWebSocket Socket, SocketReader Reader)> OpenAsync()
        {
            var opened = await client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { shell = "/bin/sh", cols = 120, rows = 40 }, cancellationToken);
            opened.EnsureSuccessStatusCode();
            var terminal = (await opened.Content.ReadFromJsonAsync<Ref>(cancellationToken))!;
            var socket = await ConnectAsync(client, wsBase, terminal.Id, cancellationToken);
            terminals.Add(terminal.Id);
            sockets.Add(socket);
            var reader = new SocketReader(socket);
            await reader.SendAsync("stty -ixon; echo READY-$((1+1))\r", cancellationToken);
            await reader.ReadUntilAsync("READY-2", cancellationToken);
            return (terminal.Id, socket, reader);
        }

        var quiet = await OpenAsync();
        var flooding = new List<(Guid Terminal, ClientWebSocket Socket, SocketReader Reader)>();
        for (var i = 0; i < FloodingTerminals; i++)
        {
            flooding.Add(await OpenAsync());
        }

        // The slow client attaches to the first flooding terminal and never reads.
        var slow = await ConnectAsync(client, wsBase, flooding[0].Terminal, cancellationToken);
        sockets.Add(slow);
        await using var local = PtyProcess.Start("/bin/sh", [], TmuxServer.Environment(), work, 120, 40);
        var anchor = new PtyReader(local);
        await anchor.SendAsync("echo READY-$((1+1))\r", cancellationToken);
        await anchor.ReadUntilAsync("READY-2", cancellationToken);

        var baseline = server.ResidentBytes();
        var peak = baseline;
        long drained = 0;
        using var flood = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var drains = flooding.Select(f => Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (!flood.IsCancellationRequested)
                {
                    var received = await f.Socket.ReceiveAsync(buffer, flood.Token);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    Interlocked.Add(ref drained, received.Count);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // The flood is over (the terminal was killed, or the bench stopped reading).
            }
        }, CancellationToken.None)).ToList();
        var sampler = Task.Run(async () =>
        {
            while (!flood.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.ResidentBytes());
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        foreach (var f in flooding)
        {
            await f.Reader.SendAsync("yes 'flood flood flood flood flood flood flood flood flood flood'\r", cancellationToken);
        }

        var subjectMs = new List<double>();
        var anchorMs = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < FloodTime)
        {
            subjectMs.Add(await EchoAsync(quiet.Reader, cancellationToken));
            anchorMs.Add(await EchoAsync(anchor, cancellationToken));
            if (subjectMs.Count % 50 == 0)
            {
                await quiet.Reader.SendAsync("\u0015", cancellationToken);
                await anchor.SendAsync("\u0015", cancellationToken);
            }

            await Task.Delay(20, cancellationToken);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var drainedBytes = Interlocked.Read(ref drained);
        var rss = server.ResidentBytes();
        peak = Math.Max(peak, rss);
        foreach (var terminal in terminals)
        {
            using var killed = await client.PostAsync($"/api/terminals/{terminal}:kill", null, cancellationToken);
        }

        await flood.CancelAsync();
        await Task.WhenAll(drains);
        await sampler;
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        // The design's bound for what the terminals hold: a PTY-hosted terminal keeps its ring
        // (BufferBytes, 1 MiB) and its clients read from it; every client, tmux's included, has
        // a 64 KiB read buffer and a 64 KiB send buffer. The rest of the RSS growth is the GC's
        // and Kestrel's working room.
        var clients = FloodingTerminals + 2;
        var boundMb = (host == "pty" ? FloodingTerminals + 1 : 0) + (clients * 2 * 64 / 1024) + 1;
        double P(List<double> s, double p) => Measure.Percentile(s, p);
        Console.WriteLine(
            $"terminal-flood[{host}]: {FloodingTerminals} terminals flooding ({drainedBytes / 1_048_576.0 / seconds:F1} MB/s drained by their clients) plus a slow client reading nothing, {seconds:F0} s: " +
            $"quiet terminal's echo p50 {P(subjectMs, 50):F2} ms, p99 {P(subjectMs, 99):F2} ms (n={subjectMs.Count}; target < 50 ms); in-process PTY during the flood p50 {P(anchorMs, 50):F2} ms, p99 {P(anchorMs, 99):F2} ms -> added p50 {P(subjectMs, 50) - P(anchorMs, 50):F2} ms, p99 {P(subjectMs, 99) - P(anchorMs, 99):F2} ms; " +
            $"server RSS {baseline / 1_048_576} MB before, peak {peak / 1_048_576} MB (+{(peak - baseline) / 1_048_576} MB; the design's bound for the terminals' buffers +{boundMb} MB); load average {LoadAverage()}");
    }

    private static async Task<ClientWebSocket> ConnectAsync(HttpClient client, string wsBase, Guid terminal, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", client.DefaultRequestHeaders.Authorization!.ToString());
        await socket.ConnectAsync(new Uri(wsBase + $"api/terminals/{terminal}/attach?cols=120&rows=40"), cancellationToken);
        return socket;
    }
}
