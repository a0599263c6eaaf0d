using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

public sealed class ContextBuilderTests
{
    [Fact]
    public async Task Build_IgnoredBinaryLargeAndSecretFiles_NeverReachTheContext()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write(".gitignore", "ignored.txt\nbuild/\n");
        repo.Write(".wright/config", "{ \"exclude\": [\"private/\", \"*.secretlog\"], \"maxContextFileBytes\": 2000 }\n");
        repo.Write("src/visible.cs", "class Visible { } // VISIBLE_MARKER\n");
        repo.Write("ignored.txt", "IGNORED_MARKER\n");
        repo.Write("build/out.js", "BUILD_MARKER\n");
        repo.Write(".env", "OPENAI_API_KEY=ENV_MARKER\n");
        repo.Write(".env.local", "ENVLOCAL_MARKER\n");
        repo.Write("certs/server.pem", "PEM_MARKER\n");
        repo.Write("certs/server.key", "KEY_MARKER\n");
        repo.Write("home/id_rsa", "IDRSA_MARKER\n");
        repo.Write("home/id_ed25519.pub", "IDED_MARKER\n");
        repo.Write("notes/deploy.txt", "see below\n-----BEGIN OPENSSH PRIVATE KEY-----\nHEADER_MARKER\n-----END OPENSSH PRIVATE KEY-----\n");
        repo.Write("private/plan.md", "USEREXCLUDED_MARKER\n");
        repo.Write("logs/a.secretlog", "GLOB_MARKER\n");
        repo.Write("big.txt", "LARGE_MARKER\n" + new string('x', 5000));
        File.WriteAllBytes(repo.PathOf("image.bin"), [0x42, 0x49, 0x4E, 0x00, .. "BINARY_MARKER"u8.ToArray()]);
        await kit.CommitAllAsync();
        await repo.GitAsync("add", "--force", "ignored.txt");
        await repo.GitAsync("rm", "--quiet", "--cached", "ignored.txt");

        // A tracked secret file the user is editing must not leak through the diff or the status either.
        repo.Write(".env", "OPENAI_API_KEY=ENV_MARKER_CHANGED\n");
        repo.Write("src/visible.cs", "class Visible { int x; } // VISIBLE_MARKER\n");
        string[] everything = ["src/visible.cs", "ignored.txt", "build/out.js", ".env", ".env.local", "certs/server.pem", "certs/server.key", "home/id_rsa", "home/id_ed25519.pub", "notes/deploy.txt", "private/plan.md", "logs/a.secretlog", "big.txt", "image.bin", ".wright/config"];
        var request = kit.Request("Look at .env, ignored.txt and image.bin please") with { MentionedFiles = everything, OpenFiles = everything };

        var context = await kit.BuildAsync(request);
        var second = await kit.BuildAsync(request with { Previous = context.Record });

        context.Text.ShouldContain("VISIBLE_MARKER");
        foreach (var text in new[] { context.Text, second.Text })
        {
            foreach (var marker in new[] { "IGNORED", "BUILD", "ENV", "ENVLOCAL", "PEM", "KEY", "IDRSA", "IDED", "HEADER", "USEREXCLUDED", "GLOB", "LARGE", "BINARY" })
            {
                text.ShouldNotContain(marker + "_MARKER");
            }

            text.ShouldNotContain("M .env");
        }

        var reasons = context.Record.Excluded.ToDictionary(e => e.Path, e => e.Reason, StringComparer.Ordinal);
        reasons["ignored.txt"].ShouldBe(ContextExclusion.Ignored);
        reasons["build/out.js"].ShouldBe(ContextExclusion.Ignored);
        reasons[".env"].ShouldBe(ContextExclusion.SecretName);
        reasons[".env.local"].ShouldBe(ContextExclusion.SecretName);
        reasons["certs/server.pem"].ShouldBe(ContextExclusion.SecretName);
        reasons["certs/server.key"].ShouldBe(ContextExclusion.SecretName);
        reasons["home/id_rsa"].ShouldBe(ContextExclusion.SecretName);
        reasons["home/id_ed25519.pub"].ShouldBe(ContextExclusion.SecretName);
        reasons["notes/deploy.txt"].ShouldBe(ContextExclusion.SecretContent);
        reasons["private/plan.md"].ShouldBe(ContextExclusion.UserExcluded);
        reasons["logs/a.secretlog"].ShouldBe(ContextExclusion.UserExcluded);
        reasons["big.txt"].ShouldBe(ContextExclusion.TooLarge);
        reasons["image.bin"].ShouldBe(ContextExclusion.Binary);
        context.Record.Workspace.Keys.ShouldNotContain(".env");
        // .gitignore is a visible file the prompt's word "ignored" points at, so the ranking sends it whole too.
        context.Record.FilesSent.Select(f => f.Path).Order(StringComparer.Ordinal).ShouldBe([".gitignore", "readme.md", "src/visible.cs"]);
    }

    [Fact]
    public async Task Build_ManyBudgets_NeverExceedsTheBudget()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        for (var i = 0; i < 30; i++)
        {
            repo.Write($"src/Module{i}.cs", $"namespace App;\n\npublic sealed class Module{i}\n{{\n    public int Compute{i}(int x) => new Module{(i + 1) % 30}().Compute{(i + 1) % 30}(x) + {i};\n}}\n" + string.Concat(Enumerable.Repeat($"// filler line for module {i}\n", i * 3)));
        }

        repo.Write("README.md", "# App\n\n" + string.Concat(Enumerable.Repeat("Some documentation text.\n", 80)));
        await kit.CommitAllAsync();
        repo.Write("src/Module3.cs", "namespace App;\n// edited by the user\n");
        var history = Enumerable.Range(0, 12).Select(i => $"user: question {i}\nassistant: answer {i} " + new string('a', i * 40)).ToList();
        var random = new Random(20261120);
        var budgets = new List<int> { 0, 1, 5, 17, 40, 64, 100, 250, 1000, 4000, 20000 };
        budgets.AddRange(Enumerable.Range(0, 60).Select(_ => random.Next(0, 6000)));
        BuiltContext? previous = null;
        foreach (var (budget, index) in budgets.Select((b, i) => (b, i)))
        {
            if (index % 7 == 3)
            {
                kit.Estimator.Observe("model-a", 4000, 500 + (index * 37));
            }

            var request = kit.Request("Change Compute7 in Module7 and Module12", budget) with
            {
                Model = "model-a",
                MentionedFiles = ["src/Module7.cs", "src/Module12.cs"],
                OpenFiles = ["src/Module20.cs"],
                History = history,
                Previous = index % 2 == 0 ? null : previous?.Record,
            };

            var context = await kit.BuildAsync(request);

            context.Record.TokenCount.ShouldBeLessThanOrEqualTo(budget, $"budget {budget}");
            kit.Estimator.Estimate(context.Text, "model-a").ShouldBeLessThanOrEqualTo(budget, $"budget {budget}");
            context.Sections.Sum(s => s.Tokens).ShouldBe(context.Record.TokenCount);
            previous = context;
        }
    }

    [Fact]
    public async Task Build_SecondPrompt_CarriesTheChangedFilesNotTheOverview()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("README.md", "# Shop\n\nA small shop.\n" + string.Concat(Enumerable.Range(0, 60).Select(i => $"- feature {i} of the shop, described at length\n")));
        for (var i = 0; i < 20; i++)
        {
            repo.Write($"src/feature{i}.ts", $"import {{ Cart }} from './cart';\nexport function feature{i}(cart: Cart) {{ return cart.total() + {i}; }}\n");
        }

        repo.Write("src/cart.ts", "export class Cart {\n  total(): number { return 0; }\n}\n");
        repo.Write("src/price.ts", "export function price(n: number) { return n * 2; }\n");
        await kit.CommitAllAsync();
        var first = await kit.BuildAsync(kit.Request("Add a discount to the Cart"));
        repo.Write("src/price.ts", "export function price(n: number) { return n * 3; } // USER_CHANGE\n");
        repo.Write("src/coupon.ts", "export const COUPON = 'NEW_FILE';\n");

        var second = await kit.BuildAsync(kit.Request("Now apply it at checkout") with { Previous = first.Record });

        var firstKinds = first.Sections.Select(s => s.Kind).ToList();
        firstKinds.ShouldContain(ContextSourceKind.ProjectOverview);
        firstKinds.ShouldContain(ContextSourceKind.Docs);
        var kinds = second.Sections.Select(s => s.Kind).ToList();
        kinds.ShouldNotContain(ContextSourceKind.ProjectOverview);
        kinds.ShouldNotContain(ContextSourceKind.Docs);
        var changes = second.Sections.Single(s => s.Kind == ContextSourceKind.UserChanges);
        changes.Files.ShouldBe(["src/price.ts", "src/coupon.ts"]);
        changes.Text.ShouldContain("+export function price(n: number) { return n * 3; } // USER_CHANGE");
        changes.Text.ShouldContain("NEW_FILE");
        second.Text.ShouldNotContain("A small shop.");
        second.Text.ShouldContain("not repeated");
        second.Record.Turn.ShouldBe(2);
        second.Record.TokenCount.ShouldBeLessThan(first.Record.TokenCount);
    }

    [Fact]
    public async Task Build_UnchangedMentionedFileAlreadySent_IsReferencedNotResent()
    {
        using var kit = await ContextTestKit.CreateAsync();
        kit.Repository.Write("a.py", "def a():\n    return 'A_BODY'\n");
        await kit.CommitAllAsync();
        var request = kit.Request("Look at a.py") with { MentionedFiles = ["a.py"] };
        var first = await kit.BuildAsync(request);

        var second = await kit.BuildAsync(request with { Previous = first.Record });

        first.Text.ShouldContain("A_BODY");
        second.Text.ShouldNotContain("A_BODY");
        second.Sections.Single(s => s.Kind == ContextSourceKind.PreviouslySent).Text.ShouldContain("a.py");
    }

    [Fact]
    public async Task Build_SecondScan_ReusesUnchangedFilesAndSeesChangedOnes()
    {
        using var kit = await ContextTestKit.CreateAsync();
        kit.Repository.Write("a.txt", "one\n");
        var first = await kit.BuildAsync(kit.Request("x"));
        kit.Repository.Write("a.txt", "one and two\n");

        var second = await kit.BuildAsync(kit.Request("x"));

        second.Record.Workspace["a.txt"].ShouldNotBe(first.Record.Workspace["a.txt"]);
        second.Record.Workspace["readme.md"].ShouldBe(first.Record.Workspace["readme.md"]);
    }
}
