using System.Globalization;

namespace Brigade.Processes.Protocol;

/// <summary>
/// The caller's <see cref="CultureInfo.CurrentCulture"/> and <see cref="CultureInfo.CurrentUICulture"/> by name, as a
/// Prepare frame carries them (two strings after the flags and the item policy, protocol version 5): a worker runs a
/// run's items under the culture its caller had when the run started, as the in-process engines do (the
/// <see cref="ExecutionContext"/> flows it to their threads), not under the one its own process started with.
/// </summary>
/// <remarks>Only the names cross: a culture the caller built or changed in code (its own number format) arrives as the
/// predefined culture of that name.</remarks>
/// <param name="Culture">The name of the culture that formats and parses (<c>""</c> for the invariant culture).</param>
/// <param name="UICulture">The name of the culture that looks resources up.</param>
internal readonly record struct RunCulture(string Culture, string UICulture)
{
    /// <summary>Gets the calling flow's cultures.</summary>
    public static RunCulture Current => new(CultureInfo.CurrentCulture.Name, CultureInfo.CurrentUICulture.Name);

    public void Write(FrameBuffer buffer)
    {
        buffer.WriteString(Culture);
        buffer.WriteString(UICulture);
    }

    public static RunCulture Read(ref PayloadReader reader) =>
        new(reader.ReadString() ?? throw new ProtocolException("Malformed payload: a culture with no name."), reader.ReadString() ?? throw new ProtocolException("Malformed payload: a UI culture with no name."));
}
