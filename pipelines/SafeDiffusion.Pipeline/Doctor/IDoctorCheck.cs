namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// One check of `pipeline doctor`: a small class that yields its rows of the table as it goes. Checks are listed in
/// <see cref="DoctorChecks.All"/>; a check that throws becomes one failed row and the others still run.
/// </summary>
internal interface IDoctorCheck
{
    /// <summary>Shown in the table's first column, e.g. <c>parity tiny-sd1</c>.</summary>
    string Name { get; }

    /// <exception cref="Core.Errors.PipelineException">Input or usage problems (a missing parity set, a bad size).</exception>
    IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken);
}
