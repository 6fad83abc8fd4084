using System.Buffers.Binary;
using System.Text;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>What <see cref="ElfVersionNeedPatcher"/> found or changed in one shared object.</summary>
public sealed record ElfPatchReport(
    string Path,
    bool VersionFound,
    bool VersionWasWeak,
    bool SymbolFound,
    bool SymbolWasWeak)
{
    public bool NeedsPatch => (VersionFound && !VersionWasWeak) || (SymbolFound && !SymbolWasWeak);
}

/// <summary>
/// Makes one symbol-version requirement of an ELF64 little-endian shared object optional, so the dynamic loader
/// accepts an older library that lacks that version.
/// </summary>
/// <remarks>
/// Two edits, both in place and size-preserving: the <c>VER_FLG_WEAK</c> flag on the matching
/// <c>Elf64_Vernaux</c> entry of <c>.gnu.version_r</c> (glibc then only warns when the version is missing), and
/// weak binding on the undefined dynamic symbols that need it (an unresolved weak symbol binds to null instead of
/// failing the load). Only correct for symbols whose absence is harmless; the caller decides which.
/// </remarks>
public static class ElfVersionNeedPatcher
{
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;
    private const byte StbWeak = 2;

    public static ElfPatchReport Inspect(string path, string version, IReadOnlyCollection<string> symbols)
        => Run(File.ReadAllBytes(path), path, version, symbols, apply: false);

    /// <summary>Patches <paramref name="bytes"/> in place and returns what it found before the change.</summary>
    public static ElfPatchReport Patch(byte[] bytes, string path, string version, IReadOnlyCollection<string> symbols)
        => Run(bytes, path, version, symbols, apply: true);

    private static ElfPatchReport Run(byte[] b, string path, string version, IReadOnlyCollection<string> symbols, bool apply)
    {
        var span = b.AsSpan();
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file.");
        if (b[4] != 2 || b[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported.");

        ulong shoff = U64(span, 0x28);
        int shentsize = U16(span, 0x3A);
        int shnum = U16(span, 0x3C);
        if (shoff == 0 || shentsize < 64 || shoff + (ulong)(shentsize * shnum) > (ulong)b.Length)
            throw new InvalidDataException($"{path}: section header table is missing or out of range.");

        Section Read(int i)
        {
            var h = b.AsSpan(checked((int)shoff + i * shentsize), shentsize);
            return new Section(U32(h, 4), U64(h, 0x18), U64(h, 0x20), U32(h, 0x28), U32(h, 0x2C), U64(h, 0x38));
        }

        bool versionFound = false, versionWasWeak = false, symbolFound = false, symbolWasWeak = true;
        var wanted = new HashSet<string>(symbols, StringComparer.Ordinal);
        for (int i = 0; i < shnum; i++)
        {
            var s = Read(i);
            if (s.Type == ShtGnuVerneed)
            {
                var strtab = Read((int)s.Link);
                // sh_info holds the number of Elf64_Verneed entries.
                int vn = (int)s.Offset;
                for (uint n = 0; n < s.Info; n++)
                {
                    int count = U16(span, vn + 2);
                    int aux = vn + (int)U32(span, vn + 8);
                    for (int a = 0; a < count; a++)
                    {
                        string name = CString(span, (int)strtab.Offset + (int)U32(span, aux + 8));
                        if (name == version)
                        {
                            versionFound = true;
                            ushort flags = U16(span, aux + 4);
                            versionWasWeak = (flags & VerFlgWeak) != 0;
                            if (apply) BinaryPrimitives.WriteUInt16LittleEndian(span[(aux + 4)..], (ushort)(flags | VerFlgWeak));
                        }
                        uint next = U32(span, aux + 12);
                        if (next == 0) break;
                        aux += (int)next;
                    }
                    uint vnNext = U32(span, vn + 12);
                    if (vnNext == 0) break;
                    vn += (int)vnNext;
                }
            }
            else if (s.Type == ShtDynsym)
            {
                var strtab = Read((int)s.Link);
                int entsize = s.EntSize == 0 ? 24 : (int)s.EntSize;
                for (ulong o = s.Offset; o + (ulong)entsize <= s.Offset + s.Size; o += (ulong)entsize)
                {
                    int so = (int)o;
                    ushort shndx = U16(span, so + 6);
                    if (shndx != 0) continue; // only undefined symbols are requirements
                    string name = CString(span, (int)strtab.Offset + (int)U32(span, so));
                    if (!wanted.Contains(name)) continue;
                    symbolFound = true;
                    byte info = b[so + 4];
                    bool weak = info >> 4 == StbWeak;
                    symbolWasWeak &= weak;
                    if (apply) b[so + 4] = (byte)((StbWeak << 4) | (info & 0xF));
                }
            }
        }
        return new ElfPatchReport(path, versionFound, versionWasWeak, symbolFound, symbolFound && symbolWasWeak);
    }

    private readonly record struct Section(uint Type, ulong Offset, ulong Size, uint Link, uint Info, ulong EntSize);

    private static ushort U16(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt16LittleEndian(s[o..]);
    private static uint U32(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt32LittleEndian(s[o..]);
    private static ulong U64(ReadOnlySpan<byte> s, int o) => BinaryPrimitives.ReadUInt64LittleEndian(s[o..]);

    private static string CString(ReadOnlySpan<byte> s, int o)
    {
        int end = s[o..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? s[o..] : s.Slice(o, end));
    }
}
