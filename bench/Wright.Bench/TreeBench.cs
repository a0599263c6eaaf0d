using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Wright.Bench;

/// <summary>Full tree listing of a generated repository (N files in N/20 directories) through the API vs `git ls-files`.</summary>
internal static class TreeBench
{
    public static async Task RunAsync(string work, int fileCount, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, "tree-data"), cancellationToken);
        using var client = await server.CreateClientAsync(cancellationToken, TimeSpan.FromMinutes(5));
        var projectPath = Path.Combine(work, "tree-project");
        var created = await client.PostAsJsonAsync("/api/projects", new { name = "tree", path = projectPath }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var project = await created.Content.ReadFromJsonAsync<ProjectRef>(cancellationToken);

        var generate = Stopwatch.StartNew();
        var directories = Math.Max(1, fileCount / 20);
        for (var d = 0; d < directories; d++)
        {
            var dir = Path.Combine(projectPath, $"pkg{d / 100:D3}", $"mod{d:D5}");
            Directory.CreateDirectory(dir);
            for (var f = 0; f < fileCount / directories; f++)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, $"file{f:D2}.cs"), $"// {d}/{f}\n", cancellationToken);
            }
        }

        await GitAsync(projectPath, cancellationToken, "add", "-A");
        await GitAsync(projectPath, cancellationToken, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "generated");
        Console.WriteLine($"tree: generated {fileCount} files in {directories} directories (+{directories / 100} parents) in {generate.Elapsed.TotalSeconds:F1} s");

        var entries = 0;
        async Task ThroughApi()
        {
            using var response = await client.GetAsync($"/api/projects/{project!.Id}/tree?depth=32&limit=250000", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            entries = CountEntries(json.RootElement);
        }

        var listed = 0;
        async Task GitLsFiles()
        {
            var output = await GitAsync(projectPath, cancellationToken, "ls-files", "-z", "-co", "--exclude-standard");
            listed = output.Count(c => c == '\0');
        }

        var (api, git) = await Measure.CompareAsync(5, ThroughApi, GitLsFiles);
        Console.WriteLine($"tree: API full listing median {Measure.Ms(api)} ({entries} entries); git ls-files -co --exclude-standard median {Measure.Ms(git)} ({listed} paths) -> ratio {api / git:F2}x");
    }

    private static int CountEntries(JsonElement element)
    {
        var count = 0;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals("entries") || property.NameEquals("children") || property.NameEquals("items"))
                {
                    foreach (var child in property.Value.EnumerateArray())
                    {
                        count += 1 + CountEntries(child);
                    }
                }
            }
        }

        return count;
    }

    private static async Task<string> GitAsync(string root, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {args[0]} failed with {process.ExitCode}");
        }

        return output;
    }

    private sealed record ProjectRef(Guid Id);
}
