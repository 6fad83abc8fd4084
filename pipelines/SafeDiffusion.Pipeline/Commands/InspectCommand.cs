using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Export;
using SafeDiffusion.Images.Sheets;
using SafeDiffusion.Inspection;
using SafeDiffusion.Pipeline.Cli;
using Spectre.Console;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline inspect &lt;file|dir&gt;`: what is in a Parquet file or a folder of part files (the pipeline's or anyone's),
/// SQL over it through DuckDB, and its images as PNG files or a captioned contact sheet. Tables in a terminal,
/// tab-separated text when the output is redirected.
/// </summary>
internal static class InspectCommand
{
    private const int DefaultSummaryRows = 5;
    private const int DefaultSqlRows = 100;

    public static Command Create(CliEnvironment env)
    {
        var path = new Argument<string>("path")
        {
            Description = "A Parquet file, or a folder of part files (shard folders included; hidden temp files are skipped).",
        };
        var rows = new Option<int?>("--rows")
        {
            Description = $"Rows to show: the first rows of the summary (default {DefaultSummaryRows}) or of a --sql result (default {DefaultSqlRows}).",
            HelpName = "N",
        };
        var sql = new Option<string?>("--sql")
        {
            Description =
                $"Run a DuckDB SQL query over the files instead of the summary. The files are the view '{DuckDbSession.DataView}', and also " +
                "a view named after the folder or file when that is a plain name, e.g. " +
                "--sql \"select label, count(*) from images group by label\". The query reads those files and nothing else: " +
                "other files, the network, COPY ... TO, ATTACH and extension install/load are off (see --unrestricted-sql).",
            HelpName = "QUERY",
        };
        var unrestrictedSql = new Option<bool>("--unrestricted-sql")
        {
            Description = "Run --sql with DuckDB's full access: any file it can open (read_csv, read_text), COPY ... TO writing files, " +
                "ATTACH, the network, and installing and loading extensions. Only for queries you wrote yourself.",
        };
        var exportImages = new Option<string?>("--export-images")
        {
            Description = "Write the images (the binary column 'image', else the first binary column) as DIR/<image_id>.png; at most --limit.",
            HelpName = "DIR",
        };
        var contactSheet = new Option<string?>("--contact-sheet")
        {
            Description = "Write a PNG grid of thumbnails captioned with id, label and prompt; at most --limit images, --columns per row.",
            HelpName = "FILE",
        };
        var limit = new Option<int>("--limit")
        {
            Description = "Images for --export-images and --contact-sheet.",
            DefaultValueFactory = _ => 16,
            HelpName = "N",
        };
        var columns = new Option<int>("--columns")
        {
            Description = "Thumbnails per row on the contact sheet.",
            DefaultValueFactory = _ => 4,
            HelpName = "N",
        };
        var cellSize = new Option<int>("--cell-size")
        {
            Description = "Thumbnail box on the contact sheet, in pixels.",
            DefaultValueFactory = _ => 128,
            HelpName = "PX",
        };

        var maxImageSide = new Option<int>("--max-image-side")
        {
            Description = "Largest width or height of an image that --export-images and --contact-sheet decode; larger images, " +
                "and formats other than PNG and JPEG, are listed as unreadable.",
            DefaultValueFactory = _ => ImageDecodeLimits.DefaultSide,
            HelpName = "PX",
        };

        var command = new Command("inspect",
            "Show a Parquet file or dataset folder: schema, row count, counts by label/class/category, first rows " +
            "(images as \"PNG 64x64, 3.2 KiB\"). Works on any Parquet file.")
        {
            path, rows, sql, unrestrictedSql, exportImages, contactSheet, limit, columns, cellSize, maxImageSide,
        };
        command.SetAction((parse, ct) =>
        {
            var request = new Request(
                Resolve(env, parse.GetValue(path)!),
                parse.GetValue(rows),
                parse.GetValue(sql),
                parse.GetValue(unrestrictedSql),
                parse.GetValue(exportImages) is { } dir ? Resolve(env, dir) : null,
                parse.GetValue(contactSheet) is { } sheet ? Resolve(env, sheet) : null,
                parse.GetValue(limit),
                parse.GetValue(columns),
                parse.GetValue(cellSize),
                parse.GetValue(maxImageSide));
            return Task.FromResult(Run(env, request, ct));
        });
        return command;
    }

    private sealed record Request(string Path, int? Rows, string? Sql, bool UnrestrictedSql, string? ExportDir, string? SheetPath, int Limit, int Columns, int CellSize,
        int MaxImageSide);

    private static int Run(CliEnvironment env, Request request, CancellationToken ct)
    {
        if (request.Rows is < 0) throw new UsageException($"--rows {request.Rows}: must be 0 or more.");
        if (request.Limit < 1) throw new UsageException($"--limit {request.Limit}: must be at least 1.");
        if (request.Columns < 1) throw new UsageException($"--columns {request.Columns}: must be at least 1.");
        if (request.CellSize is < 16 or > 2048) throw new UsageException($"--cell-size {request.CellSize}: must be between 16 and 2048 pixels.");
        if (request.MaxImageSide is < 1 or > 65535) throw new UsageException($"--max-image-side {request.MaxImageSide}: must be between 1 and 65535 pixels.");
        if (request.Sql is { } q && string.IsNullOrWhiteSpace(q)) throw new UsageException("--sql: the query is empty.");

        if (request.UnrestrictedSql && request.Sql is null) throw new UsageException("--unrestricted-sql: only applies to --sql.");

        using var session = DuckDbSession.Open(request.Path, unrestricted: request.UnrestrictedSql);
        bool acted = false;
        if (request.Sql is { } query)
        {
            ct.ThrowIfCancellationRequested();
            var table = session.QueryUser(query, request.Rows ?? DefaultSqlRows);
            WriteTable(env, table, title: null);
            if (table.Truncated)
                env.Error.WriteLine($"(showing the first {table.Rows.Count} rows; add LIMIT to the query or raise --rows to see more)");
            acted = true;
        }
        if (request.ExportDir is not null || request.SheetPath is not null)
        {
            ct.ThrowIfCancellationRequested();
            var cells = ImageCellReader.Read(session, request.Limit);
            var limits = ImageDecodeLimits.Square(request.MaxImageSide);
            void Refused(InputDataException e) => env.Error.WriteLine(CellFormatter.Escape(e.Message));
            if (cells.Count == 0) throw new InputDataException(request.Path, "has no rows, so there are no images to write.");
            if (request.ExportDir is { } dir)
            {
                var result = ImageExporter.Export(cells, dir, request.Path, limits, Refused);
                env.Out.WriteLine($"Wrote {result.Written.Count} image{(result.Written.Count == 1 ? "" : "s")} to {dir}");
                if (result.Unreadable.Count > 0)
                    env.Error.WriteLine($"Skipped {result.Unreadable.Count} value(s) that are not images: {CellFormatter.Escape(string.Join(", ", result.Unreadable))}");
            }
            if (request.SheetPath is { } sheetPath)
            {
                ct.ThrowIfCancellationRequested();
                var layout = new ContactSheetLayout { Columns = request.Columns, CellSize = request.CellSize };
                var png = ContactSheet.RenderPng(cells, layout, request.Path, limits, Refused);
                AtomicFile.WriteAllBytes(sheetPath, png);
                var (w, h) = layout.Measure(cells.Count);
                env.Out.WriteLine($"Wrote contact sheet {sheetPath} ({w}x{h}, {cells.Count} image{(cells.Count == 1 ? "" : "s")})");
            }
            acted = true;
        }
        if (!acted) WriteSummary(env, ParquetInspector.Inspect(session, request.Rows ?? DefaultSummaryRows));
        return ExitCodes.Success;
    }

    private static string Resolve(CliEnvironment env, string path) => env.FullPath(path);

    private static void WriteSummary(CliEnvironment env, DatasetInspection inspection)
    {
        var schema = inspection.SchemaName is { } name
            ? $"{name} v{inspection.SchemaVersion ?? "?"} (written by the pipeline)"
            : "not a pipeline dataset (no safediffusion.schema metadata)";
        var facts = new List<(string Key, string Value)>
        {
            ("path", CellFormatter.Escape(inspection.Path)),
            ("files", $"{inspection.Files.Count} ({CellFormatter.Size(inspection.TotalBytes)})"),
            ("rows", inspection.RowCount.ToString("N0", CultureInfo.InvariantCulture)),
            ("row groups", inspection.Files.Sum(f => f.RowGroups).ToString(CultureInfo.InvariantCulture)),
            ("schema", schema),
            ("compression", inspection.Compression.Count == 0 ? "-" : string.Join(", ", inspection.Compression)),
        };
        facts.AddRange(inspection.Metadata
            .Where(kv => kv.Key.StartsWith("safediffusion.", StringComparison.Ordinal) || kv.Value.Length <= 80)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => ($"meta {CellFormatter.Escape(kv.Key)}", CellFormatter.Cut(kv.Value, 80))));

        var columnTable = new QueryTable(["column", "type"], ["VARCHAR", "VARCHAR"],
            inspection.Columns.Select(c => new object?[] { c.Name, c.Type }).ToList(), Truncated: false);
        if (env.Interactive)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            foreach (var (key, value) in facts) grid.AddRow(new Markup($"[bold]{Markup.Escape(key)}[/]"), new Text(value));
            env.Console.Write(grid);
            env.Console.WriteLine();
        }
        else
        {
            int width = facts.Max(f => f.Key.Length) + 2;
            foreach (var (key, value) in facts) env.Out.WriteLine($"{(key + ":").PadRight(width)}{value}");
            env.Out.WriteLine();
        }
        WriteTable(env, columnTable, "columns");
        foreach (var counts in inspection.Counts)
        {
            var table = new QueryTable([counts.Column, "rows", "share"], ["VARCHAR", "BIGINT", "VARCHAR"],
                counts.Values.Select(v => new object?[]
                {
                    v.Value, v.Count, (v.Count / (double)Math.Max(1, inspection.RowCount)).ToString("P1", CultureInfo.InvariantCulture),
                }).ToList(), counts.Truncated);
            WriteTable(env, table, $"rows by {counts.Column}" + (counts.Truncated ? $" (top {counts.Values.Count})" : ""));
        }
        if (inspection.FirstRows.Rows.Count > 0)
            WriteTable(env, inspection.FirstRows, $"first {inspection.FirstRows.Rows.Count} row{(inspection.FirstRows.Rows.Count == 1 ? "" : "s")}");
    }

    /// <summary>
    /// A Spectre table in a terminal (rows shown as column/value records when a table would not fit the width); a
    /// title line and tab-separated rows, header first, when redirected.
    /// </summary>
    private static void WriteTable(CliEnvironment env, QueryTable table, string? title)
    {
        // Column names and titles come from the file as much as values do: escaped like every cell.
        title = title is null ? null : CellFormatter.Escape(title);
        table = table with { Columns = table.Columns.Select(CellFormatter.Escape).ToList() };
        if (!env.Interactive)
        {
            if (title is not null) env.Out.WriteLine($"{title}:");
            env.Out.WriteLine(string.Join('\t', table.Columns));
            foreach (var row in table.Rows) env.Out.WriteLine(string.Join('\t', row.Select(v => CellFormatter.Format(v))));
            if (title is not null) env.Out.WriteLine();
            return;
        }
        var cells = table.Rows.Select(r => r.Select(v => CellFormatter.Format(v)).ToArray()).ToList();
        // Borders and padding take three characters per column plus one.
        int width = 1 + table.Columns.Select((c, i) => 3 + Math.Max(c.Length, cells.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).Sum();
        if (width <= env.Console.Profile.Width || table.Columns.Count <= 2)
        {
            var t = new Table().Border(TableBorder.Rounded);
            if (title is not null) t.Title = new TableTitle(Markup.Escape(title));
            foreach (var column in table.Columns) t.AddColumn(new TableColumn(Markup.Escape(column)));
            foreach (var row in cells) t.AddRow(row.Select(v => (Spectre.Console.Rendering.IRenderable)new Text(v)).ToArray());
            env.Console.Write(t);
            return;
        }
        if (title is not null) env.Console.Write(new Rule(Markup.Escape(title)).LeftJustified());
        for (int r = 0; r < cells.Count; r++)
        {
            var record = new Table().Border(TableBorder.Rounded).HideHeaders()
                .AddColumn(new TableColumn("column").NoWrap()).AddColumn("value");
            record.Title = new TableTitle($"row {r + 1}");
            for (int c = 0; c < table.Columns.Count; c++)
                record.AddRow(new Markup($"[bold]{Markup.Escape(table.Columns[c])}[/]"), new Text(cells[r][c]));
            env.Console.Write(record);
        }
    }
}
