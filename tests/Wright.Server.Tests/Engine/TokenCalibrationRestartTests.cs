using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Context;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>The token estimate's calibration is kept in the database, so a restart does not forget it.</summary>
public sealed class TokenCalibrationRestartTests
{
    [Fact]
    public async Task LearnedFactor_SurvivesARestart_AndExactModelsLearnNothing()
    {
        using var data = new TempDirectory("wright-calibration");
        const string Estimated = "anthropic/claude-haiku-4-5";
        const string Exact = "openai/gpt-4o-mini";
        double learned;
        await using (var first = await WrightTestServer.StartAsync(o => o.DataDir = data.Path))
        {
            var calibration = first.Services.GetRequiredService<TokenCalibration>();
            await calibration.ObserveAsync(Estimated, 4000, 2000, CancellationToken.None).Bounded();
            await calibration.ObserveAsync(Exact, 4000, 2000, CancellationToken.None).Bounded();
            learned = first.Services.GetRequiredService<TokenEstimator>().FactorFor(Estimated);
            learned.ShouldBe(2.0);
        }

        await using var second = await WrightTestServer.StartAsync(o => o.DataDir = data.Path);
        var estimator = second.Services.GetRequiredService<TokenEstimator>();
        estimator.FactorFor(Estimated).ShouldBe(learned);
        estimator.Estimate(new string('x', 4000), Estimated).ShouldBe(2000);
        estimator.Calibration.ContainsKey(Exact).ShouldBeFalse();
    }
}
