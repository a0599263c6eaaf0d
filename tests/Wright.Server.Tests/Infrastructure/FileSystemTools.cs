using System.Diagnostics;

namespace Wright.Server.Tests.Infrastructure;

/// <summary>File system entries .NET cannot make itself (FIFOs, hard links), made with the real tools.</summary>
public static class FileSystemTools
{
    public static Task MakeFifoAsync(string path) => RunAsync("mkfifo", path);

    public static Task HardLinkAsync(string existing, string newName) => RunAsync("ln", existing, newName);

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync().Bounded();
        process.ExitCode.ShouldBe(0, $"{tool} {string.Join(' ', arguments)}");
    }
}
