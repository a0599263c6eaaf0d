using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Wright.Server.Tests.Infrastructure;
using Wright.Server.Tests.Terminals;

namespace Wright.Server.Tests.Previews;

/// <summary>Previews of dev servers through Wright's proxy, on their own origin, over real sockets.</summary>
public sealed partial class PreviewTests
{
    [Fact]
    public async Task HttpServerStartedInTerminal_IsDetectedAndProxied()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "index.html"), "<h1>PREVIEW-CONTENT</h1>");
        var (terminal, port) = await StartHttpServerAsync(server, project);

        var previews = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/previews").Bounded();
        var item = previews.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("port").GetInt32() == port);
        item.GetProperty("source").GetString().ShouldBe("listening");
        item.GetProperty("terminalId").GetGuid().ShouldBe(terminal.Id);
        item.GetProperty("listening").GetBoolean().ShouldBeTrue();

        using var browser = PreviewBrowser(server);
        var origin = await OpenAsync(server.Client, browser, item.GetProperty("url").GetString()!);
        origin.Host.ShouldBe($"{port}-{project.Id:N}.localhost");
        var page = await browser.GetStringAsync(new Uri(origin, "/index.html")).Bounded();

        page.ShouldContain("PREVIEW-CONTENT");
    }

    [Fact]
    public async Task PreviewedPage_CannotCallWrightsApiWithTheUsersCredentials()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync("secret-project");
        var (_, port) = await StartHttpServerAsync(server, project);
        using var browser = PreviewBrowser(server);
        var origin = await OpenAsync(server.Client, browser, $"/api/projects/{project.Id}/previews/{port}/open");
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        // Same-origin fetch('/api/projects') from the page goes to the dev server, never to Wright,
        // even carrying the user's token and cookie.
        using var sameOrigin = new HttpRequestMessage(HttpMethod.Get, new Uri(origin, "/api/projects"));
        sameOrigin.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.AccessToken);
        sameOrigin.Headers.Add("Cookie", $"wright_access={login.AccessToken}");
        using var viaPreview = await browser.SendAsync(sameOrigin).Bounded();
        var body = await viaPreview.Content.ReadAsStringAsync().Bounded();

        // A cross-origin call to Wright with credentials: the preview's cookie is not Wright's
        // (401), and Wright grants no CORS, so a browser would not let the page read anything.
        using var crossOrigin = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "/api/projects"));
        crossOrigin.Headers.Add("Origin", origin.GetLeftPart(UriPartial.Authority));
        crossOrigin.Headers.Add("Cookie", browser.Cookies(origin));
        using var anonymous = server.AnonymousClient();
        using var toWright = await anonymous.SendAsync(crossOrigin).Bounded();

        viaPreview.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        body.ShouldNotContain("secret-project");
        viaPreview.Content.Headers.ContentType?.MediaType.ShouldNotBe("application/json");
        toWright.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        toWright.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task WebSocketEcho_WorksThroughTheProxy()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var echo = await EchoServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var added = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/previews", new { port = echo.Port }).Bounded();
        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var browser = PreviewBrowser(server);
        var origin = await OpenAsync(server.Client, browser, $"/api/projects/{project.Id}/previews/{echo.Port}/open");

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", browser.Cookies(origin));
        var wsUri = new UriBuilder(new Uri(origin, "/echo")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(wsUri, new HttpMessageInvoker(browser.Handler), CancellationToken.None).Bounded();
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello through the proxy"), WebSocketMessageType.Text, true, CancellationToken.None).Bounded();
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).Bounded();

        Encoding.UTF8.GetString(buffer, 0, received.Count).ShouldBe("echo: hello through the proxy");
    }

    [Fact]
    public async Task NonMember_GetsNotFound_AndAMemberRemovedLosesAccess()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var echo = await EchoServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var (stranger, _) = await server.CreateUserClientAsync("stranger");
        var (member, memberUser) = await server.CreateUserClientAsync("member");
        using var addMember = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/members", new { userName = "member" }).Bounded();
        addMember.EnsureSuccessStatusCode();
        var openUrl = $"/api/projects/{project.Id}/previews/{echo.Port}/open";

        using var strangerOpen = await stranger.GetAsync(openUrl).Bounded();
        (await strangerOpen.Content.ReadAsStringAsync()).ShouldContain("project_not_found");
        using var strangerList = await stranger.GetAsync($"/api/projects/{project.Id}/previews").Bounded();
        using var anonymousBrowser = PreviewBrowser(server);
        var previewOrigin = new Uri($"http://{echo.Port}-{project.Id:N}.localhost:{server.BaseAddress.Port}/");
        using var withoutCookie = await anonymousBrowser.GetAsync(previewOrigin).Bounded();

        using var memberBrowser = PreviewBrowser(server);
        var origin = await OpenAsync(member, memberBrowser, openUrl);
        using var before = await memberBrowser.GetAsync(new Uri(origin, "/hello")).Bounded();
        using var removed = await server.Client.DeleteAsync($"/api/projects/{project.Id}/members/{memberUser.Id}").Bounded();
        removed.EnsureSuccessStatusCode();
        using var after = await memberBrowser.GetAsync(new Uri(origin, "/hello")).Bounded();

        strangerOpen.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        strangerList.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        withoutCookie.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        after.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>Starts python's http.server in a terminal of the project and returns the port it printed.</summary>
    private static async Task<(TerminalInfo Terminal, int Port)> StartHttpServerAsync(WrightTestServer server, ProjectInfo project)
    {
        // sh rather than the account's bash: no rc files to wait for on a loaded machine.
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id, new { shell = "/bin/sh", cols = 200, rows = 24 });
        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id, cols: 200, rows: 24);
        // Debian's python3 when present: a version manager's shim can take seconds to start.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        await client.SendAsync($"{python} -m http.server 0 --bind 127.0.0.1\r");
        await client.WaitUntilAsync(() => ServingPort().IsMatch(client.Output), "python's 'Serving HTTP' line");
        return (terminal, int.Parse(ServingPort().Match(client.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Follows the open endpoint's redirect into the preview origin and signs in there; returns the preview origin.</summary>
    private static async Task<Uri> OpenAsync(HttpClient api, PreviewClient browser, string openUrl)
    {
        // The API's own client follows redirects; the ticket's redirect is what a browser would follow.
        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = api.BaseAddress, Timeout = TestTimeouts.Default };
        noRedirects.DefaultRequestHeaders.Authorization = api.DefaultRequestHeaders.Authorization;
        using var open = await noRedirects.GetAsync(openUrl).Bounded();
        open.StatusCode.ShouldBe(HttpStatusCode.Redirect, await open.Content.ReadAsStringAsync());
        var login = open.Headers.Location!;
        using var signedIn = await browser.GetAsync(login).Bounded();
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return new Uri(login.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static PreviewClient PreviewBrowser(WrightTestServer server) => new(server.BaseAddress.Port);

    [GeneratedRegex(@"Serving HTTP on \S+ port (\d+)")]
    private static partial Regex ServingPort();

    /// <summary>An HTTP client that resolves every <c>*.localhost</c> name to 127.0.0.1 (as browsers do) and keeps cookies per host.</summary>
    private sealed class PreviewClient : HttpClient
    {
        private readonly CookieContainer _cookies;

        public PreviewClient(int wrightPort)
            : this(new CookieContainer(), wrightPort)
        {
        }

        private PreviewClient(CookieContainer cookies, int wrightPort)
            : base(CreateHandler(cookies, wrightPort), disposeHandler: false)
        {
            _cookies = cookies;
            // WebSockets get their own handler: the test sets their Cookie header itself.
            Handler = CreateHandler(null, wrightPort);
            Timeout = TestTimeouts.Default;
        }

        public SocketsHttpHandler Handler { get; }

        public string Cookies(Uri origin) => _cookies.GetCookieHeader(origin);

        private static SocketsHttpHandler CreateHandler(CookieContainer? cookies, int wrightPort) => new()
        {
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
    }

    /// <summary>A small dev server of the test's own on 127.0.0.1:0: /hello answers, /echo echoes WebSocket messages.</summary>
    private sealed class EchoServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private EchoServer(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public static async Task<EchoServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.UseWebSockets();
            app.MapGet("/hello", () => "hello from the dev server");
            app.Map("/echo", async (HttpContext http) =>
            {
                using var socket = await http.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[1024];
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                var reply = Encoding.UTF8.GetBytes("echo: " + Encoding.UTF8.GetString(buffer, 0, received.Count));
                await socket.SendAsync(reply, WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            });
            await app.StartAsync().Bounded();
            var address = new Uri(app.Urls.First());
            return new EchoServer(app, address.Port);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().Bounded();
            await _app.DisposeAsync();
        }
    }
}
