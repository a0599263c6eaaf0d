namespace Wright.Core.Answers;

/// <summary>
/// Lets a few answers start at a time (one per processor): starting an answer is mostly work on
/// the processor (reading the session, building the first request, storing the turn). When a
/// hundred prompts arrive together, starting them all at once queued the chunks of the answers
/// already streaming behind every one of those starts, and chunks waited a tenth of a second; in
/// turns, the streaming answers' chunks go between them. A start that finds every turn taken for
/// <see cref="DefaultMaxWait"/> goes ahead anyway, so a slow start (a history summary, a first
/// context of a large repository) never holds the others up for longer.
/// </summary>
internal sealed class AnswerStartTurns(int turns, TimeSpan maxWait)
{
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _turns = new(turns, turns);

    /// <summary>A turn to start an answer (dispose it once the answer has started), or no turn after <c>maxWait</c>.</summary>
    public async Task<Turn> TakeAsync(CancellationToken cancellationToken) =>
        new(await _turns.WaitAsync(maxWait, cancellationToken).ConfigureAwait(false) ? _turns : null);

    /// <summary>Gives its turn back when disposed; <see cref="Held"/> is false for a start that went ahead without one.</summary>
    public readonly struct Turn(SemaphoreSlim? turns) : IDisposable
    {
        public bool Held => turns is not null;

        public void Dispose() => turns?.Release();
    }
}
