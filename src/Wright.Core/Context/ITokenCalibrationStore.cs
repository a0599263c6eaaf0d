namespace Wright.Core.Context;

/// <summary>Keeps the token estimate's learned factor per model across restarts (and across the instances of a team server).</summary>
public interface ITokenCalibrationStore
{
    Task<IReadOnlyDictionary<string, double>> LoadCalibrationAsync(CancellationToken cancellationToken);

    Task SaveCalibrationAsync(string model, double factor, DateTimeOffset at, CancellationToken cancellationToken);
}
