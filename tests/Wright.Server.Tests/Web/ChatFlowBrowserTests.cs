using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// The chat as the default flow, in Chromium (web/e2e/chatflow.mjs): plain prompts are turns of
/// the session's default run, which waits at ask without the chat showing it as a flow run.
/// </summary>
public sealed class ChatFlowBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(4);

    [BrowserFact]
    public async Task ChatAsDefaultFlow_InChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        fake.Enqueue(FakeReply.Text("Hello from the chat."), FakeReply.Text("Hello once more."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-chatflow-e2e");
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var served = await BrowserScript.ServeAsync(home, environment);

        await BrowserScript.RunPassingAsync("chatflow.mjs", served, output, BrowserRunLimit, "chatflow", new Dictionary<string, string> { ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString() });
    }
}
