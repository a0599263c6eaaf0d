using System.Text;
using System.Text.RegularExpressions;
using Wright.Core.Errors;

namespace Wright.Core.Actions;

/// <summary>A built-in project skeleton: files whose text may use <c>{{name}}</c> and <c>{{description}}</c>.</summary>
/// <param name="Keywords">Words in a description that pick this template when none is named.</param>
public sealed record ScaffoldTemplate(string Id, string Title, IReadOnlyList<string> Keywords, IReadOnlyDictionary<string, string> Files);

/// <summary>
/// SCAFFOLD: creates a small, working project skeleton — a .NET console app, a Node HTTP API
/// with a health endpoint, a Python command-line package, or a static web page — named and
/// described by the request. It never overwrites: a target that already has any of the
/// template's files fails validation.
/// </summary>
public sealed partial class ScaffoldHandler : IActionHandler
{
    public static readonly IReadOnlyList<ScaffoldTemplate> Templates =
    [
        new("dotnet-console", ".NET console app", ["c#", "csharp", ".net", "dotnet", "console"], new Dictionary<string, string>
        {
            ["{{name}}.csproj"] = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    <TargetFramework>net10.0</TargetFramework>\n    <Nullable>enable</Nullable>\n    <ImplicitUsings>enable</ImplicitUsings>\n  </PropertyGroup>\n</Project>\n",
            ["Program.cs"] = "// {{description}}\nConsole.WriteLine(\"Hello from {{name}}!\");\n",
            [".gitignore"] = "bin/\nobj/\n",
            ["README.md"] = "# {{name}}\n\n{{description}}\n\n```\ndotnet run\n```\n",
        }),
        new("node-api", "Node.js HTTP API", ["node", "javascript", "js", "api", "http", "server", "express", "rest"], new Dictionary<string, string>
        {
            ["package.json"] = "{\n  \"name\": \"{{name}}\",\n  \"version\": \"0.1.0\",\n  \"description\": \"{{description}}\",\n  \"main\": \"src/index.js\",\n  \"scripts\": {\n    \"start\": \"node src/index.js\"\n  }\n}\n",
            ["src/index.js"] = "// {{description}}\nconst http = require('node:http');\n\nconst port = Number(process.env.PORT ?? 3000);\n\nconst server = http.createServer((req, res) => {\n  if (req.method === 'GET' && req.url === '/health') {\n    res.writeHead(200, { 'content-type': 'application/json' });\n    res.end(JSON.stringify({ status: 'ok' }));\n    return;\n  }\n  res.writeHead(404, { 'content-type': 'application/json' });\n  res.end(JSON.stringify({ error: 'not found' }));\n});\n\nserver.listen(port, () => console.log(`{{name}} listening on ${port}`));\n",
            [".gitignore"] = "node_modules/\n",
            ["README.md"] = "# {{name}}\n\n{{description}}\n\n```\nnpm start\ncurl localhost:3000/health\n```\n",
        }),
        new("python-cli", "Python command-line package", ["python", "py", "cli", "script"], new Dictionary<string, string>
        {
            ["pyproject.toml"] = "[project]\nname = \"{{name}}\"\nversion = \"0.1.0\"\ndescription = \"{{description}}\"\nrequires-python = \">=3.10\"\n\n[project.scripts]\n{{name}} = \"{{module}}.__main__:main\"\n",
            ["src/{{module}}/__init__.py"] = "\"\"\"{{description}}\"\"\"\n",
            ["src/{{module}}/__main__.py"] = "def main() -> None:\n    print(\"Hello from {{name}}!\")\n\n\nif __name__ == \"__main__\":\n    main()\n",
            [".gitignore"] = "__pycache__/\n*.egg-info/\n.venv/\n",
            ["README.md"] = "# {{name}}\n\n{{description}}\n\n```\npython -m {{module}}\n```\n",
        }),
        new("static-site", "Static web page", ["html", "css", "site", "page", "static", "web", "website"], new Dictionary<string, string>
        {
            ["index.html"] = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  <title>{{name}}</title>\n  <link rel=\"stylesheet\" href=\"styles.css\">\n</head>\n<body>\n  <h1>{{name}}</h1>\n  <p>{{description}}</p>\n</body>\n</html>\n",
            ["styles.css"] = "body {\n  font-family: system-ui, sans-serif;\n  margin: 2rem auto;\n  max-width: 40rem;\n}\n",
            ["README.md"] = "# {{name}}\n\n{{description}}\n\nOpen `index.html` in a browser.\n",
        }),
    ];

    public bool CanHandle(WrightAction action) => action is ScaffoldAction;

    /// <summary>The template named, or the one whose keywords the description mentions most (the static page when none).</summary>
    public static ScaffoldTemplate Choose(string? template, string description)
    {
        if (template is not null)
        {
            return Templates.FirstOrDefault(t => t.Id.Equals(template, StringComparison.OrdinalIgnoreCase))
                ?? throw WrightException.Invalid(ActionErrorCodes.ScaffoldTemplateNotFound, $"There is no template '{template}'; the templates are {string.Join(", ", Templates.Select(t => t.Id))}.");
        }

        var words = Words().Matches(description.ToLowerInvariant()).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        return Templates
            .Select((t, order) => (Template: t, Score: t.Keywords.Count(words.Contains), Order: order))
            .OrderByDescending(x => x.Score)
            .ThenBy(x => x.Score == 0 && x.Template.Id != "static-site" ? 1 : 0)
            .ThenBy(x => x.Order)
            .First().Template;
    }

    public Task ValidateAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        var scaffold = (ScaffoldAction)action;
        var name = ProjectName().Replace(scaffold.Name.Trim(), "-").Trim('-', '.');
        if (name.Length == 0 || name.Length > 100)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A scaffolded project needs a name of letters, digits, '-', '_' or '.' (at most 100).");
        }

        var template = Choose(scaffold.Template, scaffold.Description);
        var module = ModuleName().Replace(name.ToLowerInvariant(), "_");
        var description = scaffold.Description.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal).Trim();
        var prefix = scaffold.Directory.Trim('/');
        var paths = new List<string>();
        var existing = new List<string>();
        foreach (var (pathTemplate, contentTemplate) in template.Files)
        {
            var relative = Fill(pathTemplate, name, module, description);
            var path = context.Normalize(prefix.Length == 0 ? relative : $"{prefix}/{relative}");
            if (context.Files.Exists(path))
            {
                existing.Add(path);
                continue;
            }

            context.Files.Write(path, Fill(contentTemplate, name, module, description));
            paths.Add(path);
        }

        if (existing.Count > 0)
        {
            throw WrightException.Conflict(ActionErrorCodes.ScaffoldTargetNotEmpty, $"The {template.Title} template would overwrite {string.Join(", ", existing)}; scaffold into an empty directory.");
        }

        context.RecordStagedPaths(paths);
        return Task.CompletedTask;
    }

    public async Task ExecuteAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        await context.WriteStagedAsync(context.StagedPathsOfCurrentAction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every file it creates is removed by the safety point's reset.</summary>
    public Task RollbackAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Fill(string text, string name, string module, string description)
    {
        var builder = new StringBuilder(text);
        builder.Replace("{{name}}", name).Replace("{{module}}", module).Replace("{{description}}", description);
        return builder.ToString();
    }

    [GeneratedRegex(@"[^A-Za-z0-9._-]+", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectName();

    [GeneratedRegex(@"[^a-z0-9_]", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleName();

    [GeneratedRegex(@"[a-z0-9#+.]+", RegexOptions.CultureInvariant)]
    private static partial Regex Words();
}
