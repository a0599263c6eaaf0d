using Dapper;
using Wright.Core.Previews;
using Wright.Storage.Database;

namespace Wright.Storage.Previews;

/// <summary>Dapper repository of the ports users added to previews (table <c>preview_ports</c>).</summary>
internal sealed class PreviewRepository : IPreviewRepository
{
    private readonly WrightDatabase _database;

    public PreviewRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task AddAsync(Guid projectId, Guid userId, int port, DateTimeOffset addedAt, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO preview_ports (project_id, user_id, port, added_at_ms) VALUES (@ProjectId, @UserId, @Port, @AddedAtMs)
            ON CONFLICT (project_id, user_id, port) DO NOTHING
            """,
            new { ProjectId = projectId.ToString(), UserId = userId.ToString(), Port = (long)port, AddedAtMs = addedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<int>> ListAsync(Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ports = await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT port FROM preview_ports WHERE project_id = @ProjectId AND user_id = @UserId ORDER BY port",
            new { ProjectId = projectId.ToString(), UserId = userId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ports.Select(p => (int)p).ToList();
    }

    public async Task<bool> RemoveAsync(Guid projectId, Guid userId, int port, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM preview_ports WHERE project_id = @ProjectId AND user_id = @UserId AND port = @Port",
            new { ProjectId = projectId.ToString(), UserId = userId.ToString(), Port = (long)port },
            cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }
}
