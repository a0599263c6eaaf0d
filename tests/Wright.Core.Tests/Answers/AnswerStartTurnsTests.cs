using Wright.Core.Answers;

namespace Wright.Core.Tests.Answers;

public sealed class AnswerStartTurnsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AStartBeyondTheTurns_WaitsUntilOneIsGivenBack_ThenHoldsIt()
    {
        var turns = new AnswerStartTurns(2, TimeSpan.FromMinutes(5));
        var first = await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound);
        var second = await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound);
        first.Held.ShouldBeTrue();
        second.Held.ShouldBeTrue();

        var third = turns.TakeAsync(CancellationToken.None);
        await Task.Delay(50);
        third.IsCompleted.ShouldBeFalse("a third start waits while both turns are taken");

        second.Dispose();
        (await third.WaitAsync(Bound)).Held.ShouldBeTrue();
        first.Dispose();
    }

    [Fact]
    public async Task AStartThatWaitedTooLong_GoesAheadWithoutATurn_AndGivesNothingBack()
    {
        var turns = new AnswerStartTurns(1, TimeSpan.FromMilliseconds(100));
        using var held = await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound);

        var late = await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound);
        late.Held.ShouldBeFalse();

        // Disposing a start that had no turn must not hand out a turn that was never given back.
        late.Dispose();
        (await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound)).Held.ShouldBeFalse();
    }

    [Fact]
    public async Task AWaitingStart_IsCancelledWithItsRequest()
    {
        var turns = new AnswerStartTurns(1, TimeSpan.FromMinutes(5));
        using var held = await turns.TakeAsync(CancellationToken.None).WaitAsync(Bound);
        using var cancel = new CancellationTokenSource();

        var waiting = turns.TakeAsync(cancel.Token);
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
    }
}
