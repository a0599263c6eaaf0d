using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

/// <summary>
/// Sends a request line exactly as written, over a plain socket: HttpClient (System.Uri) would
/// normalize or re-escape the adversarial paths these tests need to deliver byte for byte.
/// </summary>
public static class RawHttp
{
    public sealed record Response(HttpStatusCode Status, string ContentType, string Body)
    {
        public string? Code => Body.StartsWith('{') ? JsonDocument.Parse(Body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null : null;
    }

    /// <summary>Sends the request; <paramref name="bearer"/> is sent as <c>Authorization: Bearer</c> when given.</summary>
    public static async Task<Response> SendAsync(Uri server, string method, string target, string? jsonBody = null, string? bearer = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port).Bounded();
        var stream = client.GetStream();
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.0\r\n")
            .Append("Host: ").Append(server.Authority).Append("\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n");
        if (bearer is not null)
        {
            head.Append("Authorization: Bearer ").Append(bearer).Append("\r\n");
        }

        if (jsonBody is not null)
        {
            head.Append("Content-Type: application/json\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).AsTask().Bounded();
        await stream.WriteAsync(body).AsTask().Bounded();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().Bounded();
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = split < 0 ? text : text[..split];
        var status = (HttpStatusCode)int.Parse(headers.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim() ?? "";
        return new Response(status, contentType, split < 0 ? "" : text[(split + 4)..]);
    }
}
