using System.Text;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

public sealed class TextFormatTests
{
    [Theory]
    [InlineData("one line", LineEnding.None)]
    [InlineData("a\nb\n", LineEnding.Lf)]
    [InlineData("a\r\nb\r\n", LineEnding.Crlf)]
    [InlineData("a\r\nb\n", LineEnding.Mixed)]
    public void Detect_Text_ReportsLineEnding(string text, LineEnding expected)
    {
        var format = TextFormat.Detect(Encoding.UTF8.GetBytes(text), out var decoded);

        format.ShouldBe(new TextFormat(false, false, expected));
        decoded.ShouldBe(text);
    }

    [Fact]
    public void Detect_Bom_IsReportedAndStrippedFromText()
    {
        var format = TextFormat.Detect([0xEF, 0xBB, 0xBF, (byte)'h', (byte)'i'], out var text);

        format.Bom.ShouldBeTrue();
        text.ShouldBe("hi");
    }

    [Fact]
    public void Detect_NulLateInTheFile_IsStillTextUnlessInTheFirst8000Bytes()
    {
        var late = Enumerable.Repeat((byte)'a', 9000).Append((byte)0).ToArray();
        var early = Enumerable.Repeat((byte)'a', 100).Append((byte)0).ToArray();

        TextFormat.Detect(late, out _).Binary.ShouldBeFalse();
        TextFormat.Detect(early, out _).Binary.ShouldBeTrue();
        TextFormat.Detect([0xC3, 0x28], out _).Binary.ShouldBeTrue();
    }

    [Fact]
    public void Encode_Crlf_ConvertsEveryLineEndingOnce()
    {
        var bytes = new TextFormat(false, true, LineEnding.Crlf).Encode("a\nb\r\nc");

        bytes.ShouldBe([0xEF, 0xBB, 0xBF, .. "a\r\nb\r\nc"u8.ToArray()]);
    }
}
