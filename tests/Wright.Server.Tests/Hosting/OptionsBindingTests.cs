using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Llm;
using Wright.Core.Projects;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Hosting;

/// <summary>Each options section is bound in one place, its feature's AddXxx; the server's table of contents only calls them.</summary>
public sealed partial class OptionsBindingTests
{
    [Fact]
    public async Task EverySection_ReachesItsOptions_ThroughItsFeaturesAddMethod()
    {
        var root = Path.Combine(Path.GetTempPath(), "wright-roots-" + Guid.NewGuid().ToString("N"));
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engine:MaxSteps"] = "7",
            ["Conversations:FlushInterval"] = "00:00:02",
            ["Llm:DefaultModel"] = "openai/gpt-4o-mini",
            ["Wright:Workspace:Roots:0"] = root,
        }));

        server.Services.GetRequiredService<IOptions<EngineOptions>>().Value.MaxSteps.ShouldBe(7);
        server.Services.GetRequiredService<IOptions<ConversationsOptions>>().Value.FlushInterval.ShouldBe(TimeSpan.FromSeconds(2));
        server.Services.GetRequiredService<IOptions<LlmOptions>>().Value.DefaultModel.ShouldBe("openai/gpt-4o-mini");
        server.Services.GetRequiredService<IOptions<WorkspaceOptions>>().Value.Roots.ShouldBe([root]);
    }

    [Fact]
    public async Task ABadWorkspaceRoot_StopsTheStart_NamingItsKey()
    {
        var start = WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wright:Workspace:Roots:0"] = "relative/projects",
        }));

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => start);

        ex.Failures.ShouldContain(f => f.Contains("Wright:Workspace:Roots:0", StringComparison.Ordinal) && f.Contains("relative/projects", StringComparison.Ordinal));
    }

    [Fact]
    public void EachSection_IsBoundOnce_AndNeverInTheServersTableOfContents()
    {
        var server = Path.Combine(Web.BrowserScript.WebDirectory, "..", "src", "Wright.Server");
        var bindings = Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Binding().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Section: m.Groups["section"].Value)))
            .ToList();

        bindings.ShouldNotBeEmpty();
        bindings.ShouldNotContain(b => b.File == "WrightServer.cs");
        foreach (var group in bindings.GroupBy(b => b.Section))
        {
            group.Count().ShouldBe(1, $"{group.Key} is bound in {string.Join(", ", group.Select(b => b.File))}");
        }
    }

    [GeneratedRegex(@"(?:GetSection|BindConfiguration)\((?<section>[A-Za-z.]+)\)")]
    private static partial Regex Binding();
}
