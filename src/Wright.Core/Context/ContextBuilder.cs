using Microsoft.Extensions.Logging;

namespace Wright.Core.Context;

/// <summary>
/// Builds the context of a prompt: scans the workspace (through the filter chain, reusing what
/// did not change since the last scan) and assembles it under the budget. Returns the context to
/// send and the record to store with the prompt.
/// </summary>
public sealed class ContextBuilder
{
    private readonly WorkspaceScanner _scanner;
    private readonly TokenEstimator _estimator;
    private readonly TimeProvider _time;
    private readonly ILogger<ContextBuilder> _logger;

    public ContextBuilder(WorkspaceScanner scanner, TokenEstimator estimator, TimeProvider time, ILogger<ContextBuilder> logger)
    {
        _scanner = scanner;
        _estimator = estimator;
        _time = time;
        _logger = logger;
    }

    public async Task<BuiltContext> BuildAsync(ContextRequest request, CancellationToken cancellationToken)
    {
        var snapshot = await _scanner.ScanAsync(request, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var context = ContextAssembler.Assemble(request, snapshot, _estimator, now, Guid.CreateVersion7(now)) with { Filter = snapshot.Filter };
        ContextLog.Built(_logger, context.Record.Turn, context.Record.TokenCount, request.BudgetTokens, snapshot.Files.Count, snapshot.Excluded.Count);
        return context;
    }
}

/// <summary>Log messages of context building; event ids 6100–6199.</summary>
internal static partial class ContextLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Built context for prompt {Turn}: {Tokens} of {Budget} tokens from {Files} admitted files ({Excluded} excluded)")]
    public static partial void Built(ILogger logger, int turn, int tokens, int budget, int files, int excluded);
}
