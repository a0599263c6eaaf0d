using System.Collections.Concurrent;

namespace Wright.Core.Context;

/// <summary>
/// Estimates tokens before a call, when the provider has not counted them yet: characters / 4 (a
/// fair average for English and code across today's tokenizers), times a per-model factor learned
/// from the exact usage providers report after each call. No tokenizer package is needed, and the
/// estimate converges on the model's real tokenizer for the kind of text a project sends it.
/// </summary>
public sealed class TokenEstimator
{
    public const double CharsPerToken = 4.0;

    /// <summary>How much one observation moves the factor (an exponential moving average).</summary>
    private const double Smoothing = 0.3;

    private const double MinFactor = 0.25;
    private const double MaxFactor = 4.0;

    private readonly ConcurrentDictionary<string, double> _factors;

    public TokenEstimator(IReadOnlyDictionary<string, double>? calibration = null)
    {
        _factors = new ConcurrentDictionary<string, double>(calibration ?? new Dictionary<string, double>(), StringComparer.Ordinal);
    }

    /// <summary>The learned factors by model, to persist and pass back to the constructor.</summary>
    public IReadOnlyDictionary<string, double> Calibration => new Dictionary<string, double>(_factors, StringComparer.Ordinal);

    public double FactorFor(string? model) => model is not null && _factors.TryGetValue(model, out var factor) ? factor : 1.0;

    /// <summary>Tokens <paramref name="text"/> is expected to cost with <paramref name="model"/>; never less than the true count by more than the calibration allows, never zero for non-empty text.</summary>
    public int Estimate(string text, string? model = null) => Estimate(text.Length, model);

    public int Estimate(int characters, string? model = null) =>
        characters == 0 ? 0 : (int)Math.Ceiling(characters / CharsPerToken * FactorFor(model));

    /// <summary>Learns from a call: the text's size as sent and the prompt tokens the provider reported for it.</summary>
    public void Observe(string model, int characters, int actualTokens)
    {
        if (characters <= 0 || actualTokens <= 0)
        {
            return;
        }

        var observed = Math.Clamp(actualTokens / (characters / CharsPerToken), MinFactor, MaxFactor);
        _factors.AddOrUpdate(model, observed, (_, current) => current + (Smoothing * (observed - current)));
    }
}
