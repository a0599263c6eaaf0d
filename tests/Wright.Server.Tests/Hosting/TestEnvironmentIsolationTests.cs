using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wright.Core.Llm;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Hosting;

/// <summary>Runs alone: it sets provider variables in the test process, which every other test must never see.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>A server a test starts in-process owns its configuration: the developer's provider keys, URLs and model stay out.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class TestEnvironmentIsolationTests
{
    private static readonly Dictionary<string, string> Leaked = new()
    {
        ["OPENAI_API_KEY"] = "sk-leaked-from-the-developer",
        ["OPENAI_BASE_URL"] = "http://leaked.invalid/v1",
        ["ANTHROPIC_API_KEY"] = "sk-ant-leaked",
        ["ANTHROPIC_BASE_URL"] = "http://leaked.invalid",
        ["WRIGHT_DEFAULT_MODEL"] = "openai/leaked-model",
        ["Llm__DefaultModel"] = "openai/leaked-through-the-section",
    };

    [Fact]
    public async Task TestServer_WithProviderVariablesInTheProcess_IgnoresThem()
    {
        var before = Leaked.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in Leaked)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            await using var server = await WrightTestServer.StartAsync();
            var llm = server.Services.GetRequiredService<IOptions<LlmOptions>>().Value;

            llm.DefaultModel.ShouldBeNull();
            llm.Providers.Values.ShouldAllBe(p => p.ApiKey == null || !p.ApiKey.Contains("leaked"));
            llm.Providers.Values.ShouldAllBe(p => p.BaseUrl == null || !p.BaseUrl.ToString().Contains("leaked"));
        }
        finally
        {
            foreach (var (name, value) in before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
