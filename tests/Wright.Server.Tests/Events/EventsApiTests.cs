using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wright.Core.Events;
using Wright.Server.Tests.Infrastructure;
using static Wright.Server.Tests.Events.ProjectShell;

namespace Wright.Server.Tests.Events;

public sealed class EventsApiTests
{
    [Fact]
    public async Task Events_UnknownProject_ReturnsProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.GetAsync($"/api/events?projectId={Guid.NewGuid()}").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }

    [Fact]
    public async Task Events_FreshStream_OpensWithItsPositionAndSendsHeartbeatsWhenIdle()
    {
        await using var server = await StartServerAsync(o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(100));
        var project = await server.CreateProjectAsync();

        await using var stream = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}");

        stream.Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stream.Response.Content.Headers.ContentType?.MediaType.ShouldBe("text/event-stream");
        await stream.WaitForPositionAsync();
        long.Parse(stream.LastEventId!, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
        (await stream.WaitForCommentAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task ExternalAppend_ByShellProcess_PublishesFileChangedWithSourceExternal()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await using var stream = await OpenProjectStreamAsync(server, project);

        await ShAsync(project.Path, "echo x >> notes.txt");

        var message = await stream.NextEventAsync();
        message.Event.ShouldBe(EventTypes.FileChanged);
        message.Id.ShouldBe(message.Json.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Json.GetProperty("type").GetString().ShouldBe(EventTypes.FileChanged);
        message.Json.GetProperty("projectId").GetGuid().ShouldBe(project.Id);
        message.Json.GetProperty("at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UnixEpoch);
        message.Path.ShouldBe("notes.txt");
        message.Payload.GetProperty("source").GetString().ShouldBe("external");
        message.Payload.GetProperty("eTag").GetString().ShouldBe(ETagOf(Path.Combine(project.Path, "notes.txt")));
    }

    [Fact]
    public async Task Events_WithoutProjectFilter_ReportsExternalChangesOfEveryProject()
    {
        await using var server = await StartServerAsync();
        var first = await server.CreateProjectAsync("first");
        var second = await server.CreateProjectAsync("second");
        await using var stream = await SseStream.OpenAsync(server.Client, "/api/events");
        await stream.WaitForPositionAsync();

        await ShAsync(second.Path, "echo x > b.txt");
        var fromSecond = await stream.NextEventAsync();
        await ShAsync(first.Path, "echo x > a.txt");
        var fromFirst = await stream.NextEventAsync();

        (fromSecond.Json.GetProperty("projectId").GetGuid(), fromSecond.Path).ShouldBe((second.Id, "b.txt"));
        (fromFirst.Json.GetProperty("projectId").GetGuid(), fromFirst.Path).ShouldBe((first.Id, "a.txt"));
    }

    [Fact]
    public async Task Events_FilteredToOneProject_DoesNotReceiveAnotherProjectsChanges()
    {
        await using var server = await StartServerAsync();
        var mine = await server.CreateProjectAsync("mine");
        var other = await server.CreateProjectAsync("other");
        await using var otherStream = await OpenProjectStreamAsync(server, other);
        await using var stream = await OpenProjectStreamAsync(server, mine);

        await ShAsync(other.Path, "echo x > theirs.txt");
        (await otherStream.NextEventAsync()).Path.ShouldBe("theirs.txt");
        await ShAsync(mine.Path, "echo x > sentinel.txt");

        (await stream.NextEventAsync()).Path.ShouldBe("sentinel.txt");
    }

    [Fact]
    public async Task IgnoredFileAndGitInternals_Changed_ProduceNoEventBeforeALaterSentinel()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await ShAsync(project.Path, "printf '*.log\\nbuild/\\n' > .gitignore && mkdir build");
        await using var stream = await OpenProjectStreamAsync(server, project);

        await ShAsync(project.Path, "echo noise >> debug.log && echo noise >> build/out.bin && echo noise >> .git/description && git config wright.test yes");
        await ShAsync(project.Path, "echo done > sentinel.txt");

        var message = await stream.NextEventAsync();
        message.Path.ShouldBe("sentinel.txt", message.ToString());
    }

    [Fact]
    public async Task GitignoreEdited_NewRule_IgnoresLaterChangesToMatchingFiles()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await using var stream = await OpenProjectStreamAsync(server, project);
        await ShAsync(project.Path, "echo one > scratch.tmp");
        (await stream.NextEventAsync()).Path.ShouldBe("scratch.tmp");

        await ShAsync(project.Path, "echo '*.tmp' >> .gitignore");
        (await stream.NextEventAsync()).Path.ShouldBe(".gitignore");
        await ShAsync(project.Path, "echo two >> scratch.tmp");
        await ShAsync(project.Path, "echo done > sentinel.txt");

        (await stream.NextEventAsync()).Path.ShouldBe("sentinel.txt");
    }

    [Fact]
    public async Task ExternalDelete_OfTrackedFile_PublishesFileDeleted()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await ShAsync(project.Path, "echo keep > doomed.txt");
        await using var stream = await OpenProjectStreamAsync(server, project);

        await ShAsync(project.Path, "rm doomed.txt");

        var message = await stream.NextEventAsync();
        message.Event.ShouldBe(EventTypes.FileDeleted);
        message.Path.ShouldBe("doomed.txt");
        message.Payload.GetProperty("eTag").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        message.Payload.GetProperty("source").GetString().ShouldBe("external");
    }

    [Fact]
    public async Task AtomicWriteThroughApi_SeenAgainOnDisk_IsNotReportedTwiceNorIsItsTempFile()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await using var stream = await OpenProjectStreamAsync(server, project);
        var target = Path.Combine(project.Path, "page.html");
        var temp = Path.Combine(project.Path, ".page.html.wright-tmp");

        // What the files API does: write a temp file, rename it over the target, publish with source api.
        await File.WriteAllTextAsync(temp, "<h1>hi</h1>").Bounded();
        File.Move(temp, target, overwrite: true);
        server.Services.GetRequiredService<IEventBus>()
            .Publish(EventTypes.FileChanged, project.Id, new FileEventData("page.html", ETagOf(target), "api"));
        await ShAsync(project.Path, "echo done > sentinel.txt");

        var api = await stream.NextEventAsync();
        api.Payload.GetProperty("source").GetString().ShouldBe("api");
        (await stream.NextEventAsync()).Path.ShouldBe("sentinel.txt");
    }

    [Fact]
    public async Task NewDirectoryWithFiles_CreatedExternally_PublishesFileChangedForEachFile()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await using var stream = await OpenProjectStreamAsync(server, project);

        await ShAsync(project.Path, "mkdir -p src/deep/er && echo a > src/a.txt && echo b > src/deep/er/b.txt");

        var paths = new[] { await stream.NextEventAsync(), await stream.NextEventAsync() }.Select(m => m.Path).Order().ToList();
        paths.ShouldBe(["src/a.txt", "src/deep/er/b.txt"]);
    }

    [Fact]
    public async Task Reconnect_WithLastEventIdHeader_ReceivesEventsMissedWhileDisconnected()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        string lastSeen;
        await using (var first = await OpenProjectStreamAsync(server, project))
        {
            await ShAsync(project.Path, "echo 1 > one.txt");
            lastSeen = (await first.NextEventAsync()).Id!;
        }

        await ShAsync(project.Path, "echo 2 > two.txt");
        await ShAsync(project.Path, "echo 3 > three.txt");
        await using var sentinelStream = await OpenProjectStreamAsync(server, project);
        await ShAsync(project.Path, "echo done > sentinel.txt");
        await WaitForPathAsync(sentinelStream, "sentinel.txt");

        await using var resumed = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}", lastEventId: lastSeen);

        var missed = new[] { await resumed.NextEventAsync(), await resumed.NextEventAsync(), await resumed.NextEventAsync() };
        missed.Select(m => m.Path).ShouldBe(["two.txt", "three.txt", "sentinel.txt"]);
        missed.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeInOrder(SortDirection.Ascending);
    }

    [Fact]
    public async Task Reconnect_WithLastEventIdQuery_ResyncsWhenWatchStartedLaterAndReplaysOtherwise()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        var bus = server.Services.GetRequiredService<IEventBus>();
        var seen = bus.Publish("test.note", project.Id, new { n = 1 });

        // The watch has to be live already, or the resumed client would rightly be told to resync.
        await using var holder = await OpenProjectStreamAsync(server, project);
        await using var resumed = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}&lastEventId={seen.Id}");

        var message = await resumed.NextEventAsync();
        message.Event.ShouldBe(EventTypes.Resync, "the watch started after the client's position, so external changes may be missing");
        message.Payload.GetProperty("reason").GetString().ShouldBe(ResyncReasons.WatchGap);

        var later = bus.Publish("test.note", project.Id, new { n = 3 });
        await using var again = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}&lastEventId={message.Id}");
        (await again.NextEventAsync()).Id.ShouldBe(later.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Reconnect_WithUnknownLastEventId_StartsWithResync()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await using var holder = await OpenProjectStreamAsync(server, project);
        var position = holder.LastEventId!;

        await using var fromElsewhere = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}", lastEventId: "12");
        await using var garbage = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}", lastEventId: "not-a-number");
        await using var fine = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}", lastEventId: position);
        await ShAsync(project.Path, "echo done > sentinel.txt");

        (await fromElsewhere.NextEventAsync()).Event.ShouldBe(EventTypes.Resync);
        (await garbage.NextEventAsync()).Event.ShouldBe(EventTypes.Resync);
        (await fine.NextEventAsync()).Path.ShouldBe("sentinel.txt");
    }

    [Fact]
    public async Task SlowClient_ThatNeverReads_IsDroppedWithResyncWhileAnotherReceivesEverything()
    {
        const int capacity = 32;
        const int rounds = 80;
        const int perRound = 25;
        await using var server = await StartServerAsync(o => o.SubscriberBufferCapacity = capacity);
        var project = await server.CreateProjectAsync();
        var bus = server.Services.GetRequiredService<IEventBus>();
        using var slowClient = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectWithSmallReceiveBufferAsync }) { BaseAddress = server.BaseAddress };
        slowClient.DefaultRequestHeaders.Authorization = server.Client.DefaultRequestHeaders.Authorization;
        await using var slow = await SseStream.OpenAsync(slowClient, $"/api/events?projectId={project.Id}");
        await using var fast = await OpenProjectStreamAsync(server, project);
        var payload = new string('x', 8 * 1024);

        // 16 MB in all, far more than the slow client's socket buffers and its 32-event buffer hold.
        var published = new List<long>();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < perRound; i++)
            {
                published.Add(bus.Publish("test.bulk", project.Id, new { round, i, payload }).Id);
            }

            // Pace the rounds by the fast reader so that only the stalled client falls behind.
            for (var i = 0; i < perRound; i++)
            {
                var message = await fast.NextEventAsync();
                message.Id.ShouldBe(published[(round * perRound) + i].ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var slowEvents = new List<SseMessage>();
        while (await slow.NextAsync() is { } message)
        {
            slowEvents.Add(message);
        }

        slowEvents.Count.ShouldBeLessThan(published.Count);
        slowEvents[^1].Event.ShouldBe(EventTypes.Resync);
        slowEvents[^1].Payload.GetProperty("reason").GetString().ShouldBe(ResyncReasons.SlowConsumer);
        slowEvents.SkipLast(1).Select(m => m.Id).ShouldBe(published.Take(slowEvents.Count - 1).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ServerShutdown_WithOpenStream_EndsTheStreamWithoutWaitingForTheShutdownTimeout()
    {
        // A shutdown timeout far beyond the test bound: if open streams held the host, stopping would time out the test.
        var server = await WrightTestServer.StartAsync(builder: b => b.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(10)));
        var project = await server.CreateProjectAsync();
        var stream = await OpenProjectStreamAsync(server, project);
        try
        {
            await server.DisposeAsync();

            (await stream.NextAsync()).ShouldBeNull();
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task GitCheckout_OfAnotherBranch_PublishesEventsForTheFilesThatChanged()
    {
        await using var server = await StartServerAsync();
        var project = await server.CreateProjectAsync();
        await ShAsync(project.Path, "echo main > readme.txt && echo same > stable.txt");
        await GitAsync(project.Path, "add", "-A");
        await GitAsync(project.Path, "commit", "-q", "-m", "main files");
        await GitAsync(project.Path, "checkout", "-q", "-b", "feature");
        await ShAsync(project.Path, "echo feature > readme.txt && echo new > feature.txt");
        await GitAsync(project.Path, "add", "-A");
        await GitAsync(project.Path, "commit", "-q", "-m", "feature files");
        await GitAsync(project.Path, "checkout", "-q", "main");
        await using var stream = await OpenProjectStreamAsync(server, project);

        await GitAsync(project.Path, "checkout", "-q", "feature");

        var toFeature = new[] { await stream.NextEventAsync(), await stream.NextEventAsync() }.OrderBy(m => m.Path, StringComparer.Ordinal).ToList();
        toFeature.Select(m => (m.Event, m.Path)).ShouldBe([(EventTypes.FileChanged, "feature.txt"), (EventTypes.FileChanged, "readme.txt")]);
        toFeature[1].Payload.GetProperty("eTag").GetString().ShouldBe(ETagOf(Path.Combine(project.Path, "readme.txt")));

        await GitAsync(project.Path, "checkout", "-q", "main");

        var toMain = new[] { await stream.NextEventAsync(), await stream.NextEventAsync() }.OrderBy(m => m.Path, StringComparer.Ordinal).ToList();
        toMain.Select(m => (m.Event, m.Path)).ShouldBe([(EventTypes.FileDeleted, "feature.txt"), (EventTypes.FileChanged, "readme.txt")]);
    }

    private static Task<WrightTestServer> StartServerAsync(Action<EventsOptions>? events = null) =>
        WrightTestServer.StartAsync(builder: b =>
        {
            if (events is not null)
            {
                b.Services.Configure(events);
            }
        });

    /// <summary>Opens a project's feed and waits for its opening position, by which time the project is watched.</summary>
    private static async Task<SseStream> OpenProjectStreamAsync(WrightTestServer server, ProjectInfo project)
    {
        var stream = await SseStream.OpenAsync(server.Client, $"/api/events?projectId={project.Id}");
        stream.Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await stream.WaitForPositionAsync();
        return stream;
    }

    private static async Task WaitForPathAsync(SseStream stream, string path)
    {
        while ((await stream.NextEventAsync()).Path != path)
        {
        }
    }

    /// <summary>A tiny fixed receive buffer (which also turns off the kernel's auto-tuning), so a client that stops reading fills up fast.</summary>
    private static async ValueTask<Stream> ConnectWithSmallReceiveBufferAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
