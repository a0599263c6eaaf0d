using Wright.Core.Hosting;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wright.Cli.Agents;

/// <summary>The server the agent commands talk to (WRIGHT_URL, WRIGHT_TOKEN), and the names of the variables they share with hooks.</summary>
internal static class AgentClient
{
    public const string UrlVariable = WrightConfigNames.UrlVariable;
    public const string TokenVariable = WrightConfigNames.TokenVariable;
    public const string SessionVariable = WrightConfigNames.SessionVariable;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    /// <summary>Where `wright hooks install` keeps the token for the command hook (mode 0600): the hook's command line never holds it.</summary>
    public static string DefaultTokenFile => HookEnvironment.DefaultTokenFile;

    public static string? NonEmpty(string? value) => HookEnvironment.NonEmpty(value);

    public static HttpClient Create(string url, string token, TimeSpan timeout)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The problem's detail, or the status line, for a failed response.</summary>
    public static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
            if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var detail))
            {
                return $"{(int)response.StatusCode}: {detail.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }

        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }
}
