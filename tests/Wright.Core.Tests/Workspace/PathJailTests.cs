using Wright.Core.Errors;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

public sealed class PathJailTests : IDisposable
{
    private readonly string _base = Path.Combine(Path.GetTempPath(), $"wright-jail-{Guid.NewGuid():N}");
    private readonly string _root;
    private readonly string _outside;

    public PathJailTests()
    {
        _root = Path.Combine(_base, "project");
        _outside = Path.Combine(_base, "outside");
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        Directory.CreateDirectory(Path.Combine(_root, ".git"));
        Directory.CreateDirectory(_outside);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Theory]
    [InlineData("src/app.ts", "src/app.ts")]
    [InlineData("src/", "src")]
    [InlineData("a b/c-d_e.f", "a b/c-d_e.f")]
    [InlineData("ünïcode/ファイル.txt", "ünïcode/ファイル.txt")]
    [InlineData(".gitignore", ".gitignore")]
    [InlineData(".github/workflows/ci.yml", ".github/workflows/ci.yml")]
    [InlineData("100%.txt", "100%.txt")]
    [InlineData("ab:c", "ab:c")]
    public void Resolve_OrdinaryPath_StaysInsideTheRoot(string path, string expected)
    {
        var jailed = PathJail.Resolve(_root, path);

        jailed.RelativePath.ShouldBe(expected);
        jailed.RealPath.ShouldBe(Path.Combine(_root, expected));
    }

    [Theory]
    [InlineData("../x", ErrorCodes.PathOutsideProject)]
    [InlineData("/etc/passwd", ErrorCodes.PathOutsideProject)]
    [InlineData("C:x", ErrorCodes.PathOutsideProject)]
    [InlineData("%2e%2e/x", ErrorCodes.PathOutsideProject)]
    [InlineData("%252E%252E%252Fx", ErrorCodes.PathOutsideProject)]
    [InlineData("a\\b", ErrorCodes.PathInvalid)]
    [InlineData("a\u0000b", ErrorCodes.PathInvalid)]
    [InlineData("a\u001bb", ErrorCodes.PathInvalid)]
    [InlineData("", ErrorCodes.PathInvalid)]
    [InlineData("a/./b", ErrorCodes.PathInvalid)]
    [InlineData("name.", ErrorCodes.PathInvalid)]
    [InlineData(".wright-tmp-1", ErrorCodes.PathInvalid)]
    [InlineData(".git", ErrorCodes.PathInsideGit)]
    [InlineData("x/.GiT/y", ErrorCodes.PathInsideGit)]
    [InlineData(".git\u200d/HEAD", ErrorCodes.PathInsideGit)]
    public void Resolve_HostilePath_ThrowsWithCode(string path, string code)
    {
        var ex = Should.Throw<WrightException>(() => PathJail.Resolve(_root, path));

        ex.Code.ShouldBe(code);
    }

    [Fact]
    public void Resolve_OverlongPathOrSegment_IsInvalid()
    {
        Should.Throw<WrightException>(() => PathJail.Resolve(_root, string.Join('/', Enumerable.Repeat("abcdefgh", 600)))).Code.ShouldBe(ErrorCodes.PathInvalid);
        Should.Throw<WrightException>(() => PathJail.Resolve(_root, new string('é', 128))).Code.ShouldBe(ErrorCodes.PathInvalid);
        PathJail.Resolve(_root, new string('e', 255)).RelativePath.Length.ShouldBe(255);
    }

    [Fact]
    public void Resolve_UnpairedSurrogate_IsInvalid()
    {
        var path = "a" + new string((char)0xD800, 1);

        Should.Throw<WrightException>(() => PathJail.Resolve(_root, path)).Code.ShouldBe(ErrorCodes.PathInvalid);
    }

    [Fact]
    public void Resolve_EmptyPathWhenRootAllowed_IsTheRoot()
    {
        PathJail.Resolve(_root, "", allowRoot: true).RealPath.ShouldBe(_root);
        Should.Throw<WrightException>(() => PathJail.Resolve(_root, " ", allowRoot: true)).Code.ShouldBe(ErrorCodes.PathInvalid);
    }

    [Fact]
    public void Resolve_SymlinkToOutsideDirectory_IsOutside()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "out"), _outside);

        Should.Throw<WrightException>(() => PathJail.Resolve(_root, "out/new.txt")).Code.ShouldBe(ErrorCodes.PathOutsideProject);
        Should.Throw<WrightException>(() => PathJail.Resolve(_root, "out")).Code.ShouldBe(ErrorCodes.PathOutsideProject);
    }

    [Fact]
    public void Resolve_RelativeSymlinkClimbingOut_IsOutside()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "src", "up"), "../../outside/file.txt");

        Should.Throw<WrightException>(() => PathJail.Resolve(_root, "src/up")).Code.ShouldBe(ErrorCodes.PathOutsideProject);
    }

    [Fact]
    public void Resolve_SymlinkChainIntoGit_IsInsideGit()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "hop1"), "hop2");
        File.CreateSymbolicLink(Path.Combine(_root, "hop2"), ".git");

        Should.Throw<WrightException>(() => PathJail.Resolve(_root, "hop1/config")).Code.ShouldBe(ErrorCodes.PathInsideGit);
    }

    [Fact]
    public void Resolve_SymlinkToInsideFile_SplitsEntryAndRealPath()
    {
        File.WriteAllText(Path.Combine(_root, "src", "real.txt"), "x");
        File.CreateSymbolicLink(Path.Combine(_root, "alias.txt"), "src/real.txt");

        var jailed = PathJail.Resolve(_root, "alias.txt");

        jailed.EntryPath.ShouldBe(Path.Combine(_root, "alias.txt"));
        jailed.RealPath.ShouldBe(Path.Combine(_root, "src", "real.txt"));
    }

    [Fact]
    public void Resolve_RootBehindSymlink_ComparesRealPaths()
    {
        var rootLink = Path.Combine(_base, "root-link");
        File.CreateSymbolicLink(rootLink, _root);

        PathJail.Resolve(rootLink, "src/x.txt").RealPath.ShouldBe(Path.Combine(_root, "src", "x.txt"));
    }
}
