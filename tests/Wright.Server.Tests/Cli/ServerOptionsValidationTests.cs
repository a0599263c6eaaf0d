using Microsoft.Extensions.Options;
using Wright.Server.Hosting;

namespace Wright.Server.Tests.Cli;

/// <summary>The options `wright serve` builds are validated as a whole, every problem reported at once.</summary>
public sealed class ServerOptionsValidationTests
{
    [Fact]
    public void Build_BadOptions_FailsOnceWithEveryProblem()
    {
        var options = new ServerOptions { Host = "192.0.2.1", Port = -1, DataDir = "", Database = "oracle://db", MaxFileBytes = 0, ReadsEnvironment = false };

        var error = Should.Throw<OptionsValidationException>(() => WrightServer.Build(options));

        error.Failures.Count().ShouldBe(5);
        error.Failures.ShouldContain(f => f.StartsWith("--port ", StringComparison.Ordinal));
        error.Failures.ShouldContain(f => f.StartsWith("--host ", StringComparison.Ordinal));
        error.Failures.ShouldContain(f => f.StartsWith("--data-dir ", StringComparison.Ordinal));
        error.Failures.ShouldContain(f => f.StartsWith("--database ", StringComparison.Ordinal));
        error.Failures.ShouldContain(f => f.StartsWith("Wright:MaxFileBytes ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void Validate_LoopbackHost_IsAccepted(string host)
    {
        new ServerOptions { Host = host, DataDir = "/tmp/wright-unused" }.Validate().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("postgres://wright@localhost/wright")]
    [InlineData("Host=localhost;Database=wright")]
    [InlineData("sqlite:/var/lib/wright/wright.db")]
    [InlineData("")]
    public void Validate_SupportedDatabase_IsAccepted(string database)
    {
        new ServerOptions { DataDir = "/tmp/wright-unused", Database = database }.Validate().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("postgres://wright@localhost/wright?sslmode=sometimes")]
    [InlineData("sqlite:")]
    [InlineData("wright.db")]
    public void Validate_UnusableDatabase_NamesTheFlag(string database)
    {
        new ServerOptions { DataDir = "/tmp/wright-unused", Database = database }.Validate()
            .ShouldHaveSingleItem().ShouldStartWith("--database (WRIGHT_DATABASE) ");
    }
}
