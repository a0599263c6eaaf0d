using Microsoft.Extensions.Logging;

namespace Wright.Core.Context;

/// <summary>
/// The token estimate's calibration, kept in the database: loaded into the <see cref="TokenEstimator"/>
/// at start-up, and each factor saved as it is learned (models counted exactly learn nothing).
/// </summary>
public sealed partial class TokenCalibration
{
    private readonly TokenEstimator _estimator;
    private readonly ITokenCalibrationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenCalibration> _logger;

    public TokenCalibration(TokenEstimator estimator, ITokenCalibrationStore store, TimeProvider time, ILogger<TokenCalibration> logger)
    {
        _estimator = estimator;
        _store = store;
        _time = time;
        _logger = logger;
    }

    public async Task LoadAsync(CancellationToken cancellationToken) =>
        _estimator.Load(await _store.LoadCalibrationAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Learns from a provider's reported prompt tokens and saves the new factor; never throws (a lost factor is relearned).</summary>
    public async Task ObserveAsync(string model, int characters, long inputTokens, CancellationToken cancellationToken)
    {
        if (TokenEstimator.ExactTokenizerFor(model) is not null || _estimator.Observe(model, characters, (int)Math.Min(int.MaxValue, inputTokens)) is not { } factor)
        {
            return;
        }

        try
        {
            await _store.SaveCalibrationAsync(model, factor, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            SaveFailed(_logger, ex, model);
        }
    }

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "The token calibration of {Model} could not be saved")]
    private static partial void SaveFailed(ILogger logger, Exception exception, string model);
}
