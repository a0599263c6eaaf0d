using System.Text;

namespace Wright.Core.Workspace;

/// <summary>How a text file ends its lines: <c>none</c> (a single line), <c>lf</c>, <c>crlf</c> or <c>mixed</c>.</summary>
public enum LineEnding
{
    None,
    Lf,
    Crlf,
    Mixed,
}

/// <summary>What a file's bytes are: binary, or UTF-8 text with its BOM and line endings.</summary>
public sealed record TextFormat(bool Binary, bool Bom, LineEnding LineEnding)
{
    /// <summary>Git's own rule: a NUL byte in the first 8000 bytes makes a file binary.</summary>
    public const int BinarySniffBytes = 8000;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Classifies <paramref name="bytes"/> and, for text, decodes it (without the BOM).</summary>
    public static TextFormat Detect(ReadOnlySpan<byte> bytes, out string? text)
    {
        text = null;
        var sniff = bytes[..Math.Min(bytes.Length, BinarySniffBytes)];
        if (sniff.Contains((byte)0))
        {
            return new TextFormat(true, false, LineEnding.None);
        }

        var bom = bytes.StartsWith(Utf8Bom);
        var body = bom ? bytes[Utf8Bom.Length..] : bytes;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return new TextFormat(true, false, LineEnding.None);
        }

        return new TextFormat(false, bom, DetectLineEnding(body));
    }

    /// <summary>Encodes <paramref name="text"/> with this format's BOM and line endings (none and mixed keep the text's own).</summary>
    public byte[] Encode(string text)
    {
        var lines = LineEnding switch
        {
            LineEnding.Crlf => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal),
            LineEnding.Lf => text.Replace("\r\n", "\n", StringComparison.Ordinal),
            _ => text,
        };
        var bytes = new byte[(Bom ? Utf8Bom.Length : 0) + StrictUtf8.GetByteCount(lines)];
        var offset = 0;
        if (Bom)
        {
            Utf8Bom.CopyTo(bytes, 0);
            offset = Utf8Bom.Length;
        }

        StrictUtf8.GetBytes(lines, bytes.AsSpan(offset));
        return bytes;
    }

    private static LineEnding DetectLineEnding(ReadOnlySpan<byte> body)
    {
        var crlf = false;
        var lf = false;
        var index = body.IndexOf((byte)'\n');
        while (index >= 0)
        {
            if (index > 0 && body[index - 1] == '\r')
            {
                crlf = true;
            }
            else
            {
                lf = true;
            }

            if (crlf && lf)
            {
                return LineEnding.Mixed;
            }

            body = body[(index + 1)..];
            index = body.IndexOf((byte)'\n');
        }

        return crlf ? LineEnding.Crlf : lf ? LineEnding.Lf : LineEnding.None;
    }
}
