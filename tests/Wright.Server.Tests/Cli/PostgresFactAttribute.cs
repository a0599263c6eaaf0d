namespace Wright.Server.Tests.Cli;

/// <summary>A fact that needs the PostgreSQL server named by WRIGHT_TEST_POSTGRES; skipped, with the reason, without it.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.AdminUrl is null)
        {
            Skip = $"{PostgresTestDatabase.Variable} is not set: no PostgreSQL server to test against (./scripts/test.sh starts one when Debian's postgresql is installed).";
        }
    }
}
