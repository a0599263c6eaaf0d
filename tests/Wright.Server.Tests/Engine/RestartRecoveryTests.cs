using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>A server start settles the ActionRun a killed process left half-applied.</summary>
public sealed class RestartRecoveryTests
{
    [Fact]
    public async Task ServerStart_WithARunLeftByAKilledProcess_RestoresTheSafetyPoint()
    {
        using var data = new TempDirectory("wright-restart");
        string root;
        await using (var first = await WrightTestServer.StartAsync(o => o.DataDir = data.Path))
        {
            root = data.Combine("projects", "project");
            (await first.Client.PostAsJsonAsync("/api/projects", new { name = "demo", path = root }).Bounded()).EnsureSuccessStatusCode();
        }

        await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "before\n");
        await GitCli.RunAsync(root, "add", "--all");
        await GitCli.RunAsync(root, "commit", "--quiet", "-m", "a");
        var head = await GitCli.HeadAsync(root);

        // What a process killed between writing the files and committing leaves: the new bytes and its journal.
        await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "half-applied\n");
        await File.WriteAllTextAsync(Path.Combine(root, "b.txt"), "created by the run\n");
        var journal = Path.Combine(root, ".git", "wright", "actionrun.json");
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        await File.WriteAllTextAsync(journal, JsonSerializer.Serialize(new
        {
            actionId = "0123456789ab",
            safetyPointId = (string?)null,
            head,
            startedAt = DateTimeOffset.UtcNow,
            processId = await DeadProcessIdAsync(),
            files = new object[] { new { path = "a.txt", content = Convert.ToBase64String("before\n"u8.ToArray()) }, new { path = "b.txt", content = (string?)null } },
        }));

        await using (await WrightTestServer.StartAsync(o => o.DataDir = data.Path))
        {
            File.Exists(journal).ShouldBeFalse();
            (await File.ReadAllTextAsync(Path.Combine(root, "a.txt"))).ShouldBe("before\n");
            File.Exists(Path.Combine(root, "b.txt")).ShouldBeFalse();
            (await GitCli.HeadAsync(root)).ShouldBe(head);
            (await GitCli.RunAsync(root, "status", "--porcelain")).ShouldBeEmpty();
        }
    }

    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync().Bounded();
        return process.Id;
    }
}
