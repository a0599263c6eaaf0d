using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace Wright.Core.Context;

/// <summary>
/// Counts tokens before a call. OpenAI-family models are counted exactly with their own tiktoken
/// encoding (o200k_base, cl100k_base). Every other model is estimated: characters / 4 (a fair
/// average for English and code across today's tokenizers), times a per-model factor learned from
/// the exact usage providers report after each call, which converges on the model's real tokenizer
/// for the kind of text a project sends it. The learned factors are persisted
/// (<see cref="ITokenCalibrationStore"/>) and loaded back at start-up.
/// </summary>
public sealed class TokenEstimator
{
    public const double CharsPerToken = 4.0;

    /// <summary>How much one observation moves the factor (an exponential moving average).</summary>
    private const double Smoothing = 0.3;

    private const double MinFactor = 0.25;
    private const double MaxFactor = 4.0;

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    private readonly ConcurrentDictionary<string, double> _factors;

    public TokenEstimator(IReadOnlyDictionary<string, double>? calibration = null)
    {
        _factors = new ConcurrentDictionary<string, double>(calibration ?? new Dictionary<string, double>(), StringComparer.Ordinal);
    }

    /// <summary>The learned factors by model, to persist and pass back to the constructor.</summary>
    public IReadOnlyDictionary<string, double> Calibration => new Dictionary<string, double>(_factors, StringComparer.Ordinal);

    public double FactorFor(string? model) => model is not null && _factors.TryGetValue(model, out var factor) ? factor : 1.0;

    /// <summary>Takes factors learned earlier (loaded from the store at start-up); a factor learned since wins.</summary>
    public void Load(IReadOnlyDictionary<string, double> calibration)
    {
        foreach (var (model, factor) in calibration)
        {
            _factors.TryAdd(model, Math.Clamp(factor, MinFactor, MaxFactor));
        }
    }

    /// <summary>The exact tokenizer of <paramref name="model"/> (<c>provider/model</c> or a bare model name), or null when it is not an OpenAI-family model.</summary>
    public static Tokenizer? ExactTokenizerFor(string? model)
    {
        if (model is null)
        {
            return null;
        }

        var name = model[(model.LastIndexOf('/') + 1)..].ToLowerInvariant();
        if (name.StartsWith("gpt-4o", StringComparison.Ordinal) || name.StartsWith("chatgpt-4o", StringComparison.Ordinal)
            || name.StartsWith("gpt-4.1", StringComparison.Ordinal) || name.StartsWith("gpt-4.5", StringComparison.Ordinal)
            || name.StartsWith("gpt-5", StringComparison.Ordinal) || name.StartsWith("gpt-oss", StringComparison.Ordinal)
            || name.StartsWith("o1", StringComparison.Ordinal) || name.StartsWith("o3", StringComparison.Ordinal) || name.StartsWith("o4", StringComparison.Ordinal))
        {
            return O200k.Value;
        }

        return name.StartsWith("gpt-4", StringComparison.Ordinal) || name.StartsWith("gpt-3.5", StringComparison.Ordinal) || name.StartsWith("text-embedding-", StringComparison.Ordinal)
            ? Cl100k.Value
            : null;
    }

    /// <summary>Tokens <paramref name="text"/> costs with <paramref name="model"/>: exact for OpenAI-family models; otherwise estimated, never zero for non-empty text.</summary>
    public int Estimate(string text, string? model = null)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        return ExactTokenizerFor(model) is { } tokenizer ? tokenizer.CountTokens(text) : Estimate(text.Length, model);
    }

    /// <summary>The estimate for text of <paramref name="characters"/> characters (when only its size is known).</summary>
    public int Estimate(int characters, string? model = null) =>
        characters == 0 ? 0 : (int)Math.Ceiling(characters / CharsPerToken * FactorFor(model));

    /// <summary>Learns from a call: the text's size as sent and the prompt tokens the provider reported for it. Returns the new factor to persist, or null when nothing was learned.</summary>
    public double? Observe(string model, int characters, int actualTokens)
    {
        if (characters <= 0 || actualTokens <= 0)
        {
            return null;
        }

        var observed = Math.Clamp(actualTokens / (characters / CharsPerToken), MinFactor, MaxFactor);
        return _factors.AddOrUpdate(model, observed, (_, current) => current + (Smoothing * (observed - current)));
    }
}
