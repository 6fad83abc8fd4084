using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Inspection;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Inspection;

public sealed class DuckDbSessionLockdownTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _secret;
    private readonly string _table;

    public DuckDbSessionLockdownTests()
    {
        _secret = _dir.File("secret.txt");
        File.WriteAllText(_secret, "not for the query");
        _table = _dir.File("table.parquet");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Queries_read_the_dataset_views()
    {
        await ForeignFiles.WriteTableAsync(_table, rows: 3);
        using var session = DuckDbSession.Open(_table);

        var table = session.QueryUser("select count(*) as n from data", 10);

        Assert.Equal(3L, Convert.ToInt64(table.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("select * from read_text('{secret}')")]
    [InlineData("select * from read_csv('{secret}')")]
    [InlineData("attach '{dir}/other.duckdb' as other")]
    [InlineData("set enable_external_access = true")]
    [InlineData("set lock_configuration = false")]
    [InlineData("install httpfs")]
    public async Task Other_files_settings_and_extensions_are_out_of_reach(string sql)
    {
        await ForeignFiles.WriteTableAsync(_table);
        using var session = DuckDbSession.Open(_table);

        Assert.Throws<UsageException>(() => session.QueryUser(sql.Replace("{secret}", _secret).Replace("{dir}", _dir.Path), 10));
    }

    [Fact]
    public async Task Copy_to_writes_no_file()
    {
        await ForeignFiles.WriteTableAsync(_table);
        using var session = DuckDbSession.Open(_table);
        var target = _dir.File("copied.csv");

        Assert.Throws<UsageException>(() => session.QueryUser($"copy (select * from data) to '{target}'", 10));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Unrestricted_sessions_read_any_file()
    {
        await ForeignFiles.WriteTableAsync(_table);
        using var session = DuckDbSession.Open(_table, unrestricted: true);

        var table = session.QueryUser($"select content from read_text('{_secret}')", 10);

        Assert.Equal("not for the query", table.Rows[0][0]);
    }
}
