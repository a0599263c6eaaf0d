using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Wright.Core.Events;

namespace Wright.Core.Tests.Events;

public sealed class EventBusTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly Guid ProjectA = Guid.NewGuid();
    private static readonly Guid ProjectB = Guid.NewGuid();

    [Fact]
    public void Publish_Sequence_AssignsIncreasingIds()
    {
        var bus = NewBus();

        var ids = Enumerable.Range(0, 50).Select(i => bus.Publish("test", ProjectA, new { i }).Id).ToList();

        ids.ShouldBe(ids.Order().ToList());
        ids.Distinct().Count().ShouldBe(ids.Count);
    }

    [Fact]
    public void Publish_AfterRestart_IdsExceedThoseOfTheEarlierRun()
    {
        var clock = new ManualTimeProvider();
        var first = NewBus(clock: clock);
        var lastOfFirstRun = Enumerable.Range(0, 100).Select(i => first.Publish("test", null, new { i }).Id).Last();

        clock.Advance(TimeSpan.FromSeconds(1));
        var second = NewBus(clock: clock);

        second.Publish("test", null, new { }).Id.ShouldBeGreaterThan(lastOfFirstRun);
    }

    [Fact]
    public void Subscribe_WithProjectFilter_ReceivesThatProjectAndServerWideEventsOnly()
    {
        var bus = NewBus();
        using var onlyA = bus.Subscribe(ProjectA, lastEventId: null);
        using var all = bus.Subscribe(null, lastEventId: null);

        var a = bus.Publish("test", ProjectA, new { });
        bus.Publish("test", ProjectB, new { });
        var serverWide = bus.Publish("test", null, new { });

        Drain(onlyA).Select(e => e.Id).ShouldBe([a.Id, serverWide.Id]);
        Drain(all).Count.ShouldBe(3);
    }

    [Fact]
    public void Subscribe_WithLastEventIdInRing_ReplaysMissedEventsThenLiveOnes()
    {
        var bus = NewBus();
        var seen = bus.Publish("test", ProjectA, new { n = 1 });
        var missed1 = bus.Publish("test", ProjectA, new { n = 2 });
        bus.Publish("test", ProjectB, new { n = 3 });
        var missed2 = bus.Publish("test", ProjectA, new { n = 4 });

        using var subscription = bus.Subscribe(ProjectA, seen.Id);
        var live = bus.Publish("test", ProjectA, new { n = 5 });

        Drain(subscription).Select(e => e.Id).ShouldBe([missed1.Id, missed2.Id, live.Id]);
    }

    [Fact]
    public void Subscribe_WithLastEventIdThatLeftTheRing_StartsWithResyncThenLiveEvents()
    {
        var bus = NewBus(replayCapacity: 4);
        var old = bus.Publish("test", ProjectA, new { });
        for (var i = 0; i < 10; i++)
        {
            bus.Publish("test", ProjectA, new { i });
        }

        using var subscription = bus.Subscribe(ProjectA, old.Id);
        var live = bus.Publish("test", ProjectA, new { });

        var events = Drain(subscription);
        events.Count.ShouldBe(2);
        events[0].Type.ShouldBe(EventTypes.Resync);
        events[0].Data.ShouldBe(new ResyncData(ResyncReasons.Gap));
        events[0].Id.ShouldBeLessThan(live.Id);
        events[1].Id.ShouldBe(live.Id);
    }

    [Fact]
    public void Subscribe_WithLastEventIdStillJustInRing_ReplaysWithoutResync()
    {
        var bus = NewBus(replayCapacity: 4);
        var published = Enumerable.Range(0, 10).Select(i => bus.Publish("test", ProjectA, new { i })).ToList();

        // The ring holds the last four; the client saw the one just before them.
        using var subscription = bus.Subscribe(ProjectA, published[5].Id);

        Drain(subscription).Select(e => e.Id).ShouldBe(published.Skip(6).Select(e => e.Id));
    }

    [Fact]
    public void Subscribe_WithLastEventIdFromAnotherServerRun_StartsWithResync()
    {
        var bus = NewBus();
        bus.Publish("test", ProjectA, new { });

        using var fromTheFuture = bus.Subscribe(ProjectA, long.MaxValue);
        using var fromThePast = bus.Subscribe(ProjectA, 42);

        Drain(fromTheFuture).Single().Type.ShouldBe(EventTypes.Resync);
        Drain(fromThePast).Single().Type.ShouldBe(EventTypes.Resync);
    }

    [Fact]
    public void Publish_ToSubscriberThatNeverReads_DropsItWhileAnotherReceivesEverything()
    {
        const int capacity = 8;
        var bus = NewBus(subscriberCapacity: capacity);
        using var stalled = bus.Subscribe(null, lastEventId: null);
        using var reader = bus.Subscribe(null, lastEventId: null);

        var received = new List<long>();
        var published = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            // Publish returns without waiting for anyone; the reader keeps up, the stalled one never reads.
            published.Add(bus.Publish("test", ProjectA, new { i }).Id);
            received.AddRange(Drain(reader).Select(e => e.Id));
        }

        received.ShouldBe(published);
        var stalledEvents = Drain(stalled);
        stalledEvents.Count.ShouldBe(capacity + 1);
        stalledEvents.Take(capacity).Select(e => e.Id).ShouldBe(published.Take(capacity));
        stalledEvents[^1].Type.ShouldBe(EventTypes.Resync);
        stalledEvents[^1].Data.ShouldBe(new ResyncData(ResyncReasons.SlowConsumer));
        stalledEvents[^1].Id.ShouldBe(published[capacity]);
    }

    [Fact]
    public async Task ReadAllAsync_AfterSubscriberWasDropped_EndsAfterTheResync()
    {
        var bus = NewBus(subscriberCapacity: 2);
        using var stalled = bus.Subscribe(ProjectA, lastEventId: null);
        for (var i = 0; i < 5; i++)
        {
            bus.Publish("test", ProjectA, new { i });
        }

        var events = await ReadToEndAsync(stalled).WaitAsync(Bound);

        events.Select(e => e.Type).ShouldBe(["test", "test", EventTypes.Resync]);
    }

    [Fact]
    public async Task ReadAllAsync_LiveEvent_IsYieldedToAWaitingReader()
    {
        var bus = NewBus();
        using var subscription = bus.Subscribe(ProjectA, lastEventId: null);
        await using var events = subscription.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator();
        var next = events.MoveNextAsync().AsTask();

        var published = bus.Publish("test", ProjectA, new { });

        (await next.WaitAsync(Bound)).ShouldBeTrue();
        events.Current.ShouldBe(published);
    }

    [Fact]
    public async Task ReadAllAsync_CancelledToken_StopsWaiting()
    {
        var bus = NewBus();
        using var subscription = bus.Subscribe(ProjectA, lastEventId: null);
        using var cancellation = new CancellationTokenSource();
        var reading = ReadToEndAsync(subscription, cancellation.Token);

        await cancellation.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => reading.WaitAsync(Bound));
    }

    [Fact]
    public async Task Dispose_Subscription_EndsItsStreamAndStopsDelivery()
    {
        var bus = NewBus(subscriberCapacity: 2);
        var subscription = bus.Subscribe(ProjectA, lastEventId: null);
        var reading = ReadToEndAsync(subscription);

        subscription.Dispose();
        for (var i = 0; i < 10; i++)
        {
            bus.Publish("test", ProjectA, new { i });
        }

        (await reading.WaitAsync(Bound)).ShouldBeEmpty();
    }

    [Fact]
    public void PublishFileEventIfChanged_SameETagAsTheApiWrite_IsSuppressed()
    {
        var bus = NewBus();
        using var subscription = bus.Subscribe(ProjectA, lastEventId: null);
        bus.Publish(EventTypes.FileChanged, ProjectA, new FileEventData("src/a.cs", "aaa", FileEventSources.Api));

        var echo = bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectA, new FileEventData("src/a.cs", "aaa", FileEventSources.External));
        var otherProject = bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectB, new FileEventData("src/a.cs", "aaa", FileEventSources.External));
        var newContent = bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectA, new FileEventData("src/a.cs", "bbb", FileEventSources.External));

        echo.ShouldBeNull();
        otherProject.ShouldNotBeNull();
        newContent.ShouldNotBeNull();
        Drain(subscription).Select(e => ((FileEventData)e.Data).ETag).ShouldBe(["aaa", "bbb"]);
    }

    [Fact]
    public void PublishFileEventIfChanged_ApiETagInHttpQuotedForm_StillMatchesTheBareHash()
    {
        var bus = NewBus();
        bus.Publish(EventTypes.FileChanged, ProjectA, new FileEventData("a.txt", "\"ABC123\"", FileEventSources.Api));

        bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectA, new FileEventData("a.txt", "abc123", FileEventSources.External)).ShouldBeNull();
    }

    [Fact]
    public void PublishFileEventIfChanged_DeletionAfterDeletion_IsSuppressedButRecreationIsNot()
    {
        var bus = NewBus();
        bus.Publish(EventTypes.FileDeleted, ProjectA, new FileEventData("a.txt", null, FileEventSources.Api));

        var again = bus.PublishFileEventIfChanged(EventTypes.FileDeleted, ProjectA, new FileEventData("a.txt", null, FileEventSources.External));
        var recreated = bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectA, new FileEventData("a.txt", "aaa", FileEventSources.External));

        again.ShouldBeNull();
        recreated.ShouldNotBeNull();
    }

    [Fact]
    public void PublishFileEventIfChanged_FileTooLargeToHash_IsAlwaysPublished()
    {
        var bus = NewBus();
        bus.Publish(EventTypes.FileChanged, ProjectA, new FileEventData("big.bin", null, FileEventSources.Api));

        bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectA, new FileEventData("big.bin", null, FileEventSources.External)).ShouldNotBeNull();
    }

    [Fact]
    public void ReservePosition_BetweenEvents_IsAfterTheEarlierAndBeforeTheLater()
    {
        var bus = NewBus();
        var before = bus.Publish("test", ProjectA, new { });

        var position = bus.ReservePosition();
        var after = bus.Publish("test", ProjectA, new { });

        position.ShouldBeGreaterThan(before.Id);
        after.Id.ShouldBeGreaterThan(position);
        using var resumed = bus.Subscribe(ProjectA, position);
        Drain(resumed).Single().Id.ShouldBe(after.Id);
    }

    private static EventBus NewBus(int replayCapacity = 10_000, int subscriberCapacity = 1_024, TimeProvider? clock = null) =>
        new(
            Options.Create(new EventsOptions { ReplayCapacity = replayCapacity, SubscriberBufferCapacity = subscriberCapacity }),
            clock ?? new ManualTimeProvider(),
            NullLogger<EventBus>.Instance);

    private static List<WrightEvent> Drain(EventSubscription subscription)
    {
        var events = new List<WrightEvent>();
        while (subscription.TryRead(out var evt))
        {
            events.Add(evt);
        }

        return events;
    }

    private static async Task<List<WrightEvent>> ReadToEndAsync(EventSubscription subscription, CancellationToken cancellationToken = default)
    {
        var events = new List<WrightEvent>();
        await foreach (var evt in subscription.ReadAllAsync(cancellationToken))
        {
            events.Add(evt);
        }

        return events;
    }
}
