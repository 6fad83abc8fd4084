namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// CLIP's reversible byte-to-character table (openai/CLIP <c>bytes_to_unicode</c>): printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100 onwards, so BPE never sees whitespace or control characters.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();

    public static char Encode(byte b) => ByteToChar[b];

    /// <summary>All 256 symbols in byte order.</summary>
    public static IReadOnlyList<char> Symbols => ByteToChar;

    private static char[] Build()
    {
        var table = new char[256];
        var printable = new bool[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++) table[b] = printable[b] ? (char)b : (char)(256 + next++);
        return table;
    }
}
