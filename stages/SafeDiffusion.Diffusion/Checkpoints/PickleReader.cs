using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// A small pickle interpreter for the subset <c>torch.save</c> writes (protocols 2 to 5). It builds only plain data:
/// tuples (<c>object?[]</c>), lists, <see cref="PickleDict"/>, strings, integers (long, or BigInteger when wider),
/// doubles, booleans, bytes and None. Globals stay <see cref="PickleGlobal"/> names; calling one (REDUCE, NEWOBJ)
/// goes to a <see cref="PickleReduceHandler"/>, and persistent ids to a callback, so nothing in a file ever runs.
/// Reads exactly one pickle and leaves the stream just after its STOP opcode: the legacy torch format is several
/// pickles followed by raw storage bytes.
/// </summary>
public sealed class PickleReader(Stream stream, PickleReduceHandler reduce, Func<object?, object?>? persistentLoad = null)
{
    private static readonly object Mark = new();

    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];

    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        while (true)
        {
            int op = stream.ReadByte();
            if (op < 0) throw new PickleFormatException("the pickle ends before its STOP opcode.");
            switch (op)
            {
                case 0x80: ReadBytes(1); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME: lengths are advisory
                case '.': return Pop(); // STOP
                case '(': _marks.Add(_stack.Count); break; // MARK
                case '0': Pop(); break; // POP
                case '1': PopMark(); break; // POP_MARK
                case '2': Push(Peek()); break; // DUP
                case 'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case 'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case 'K': Push((long)ReadBytes(1)[0]); break; // BININT1
                case 'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadBytes(ReadBytes(1)[0]))); break; // LONG1
                case 0x8b: Push(ReadLong(ReadBytes(Length(BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)))))); break; // LONG4
                case 'I': Push(ParseTextInt(ReadLine())); break; // INT (protocol 0; I00/I01 are booleans)
                case 'L': Push(ParseTextLong(ReadLine())); break; // LONG (protocol 0)
                case 'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case 'F': Push(double.Parse(ReadLine(), NumberStyles.Float, CultureInfo.InvariantCulture)); break; // FLOAT
                case 'X': Push(Encoding.UTF8.GetString(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))))); break;
                case 0x8c: Push(Encoding.UTF8.GetString(ReadBytes(ReadBytes(1)[0]))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(ReadBytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))))); break;
                case 'T': Push(Encoding.Latin1.GetString(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))))); break;
                case 'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadBytes(1)[0]))); break; // SHORT_BINSTRING
                case 'B': Push(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break; // BINBYTES
                case 'C': Push(ReadBytes(ReadBytes(1)[0])); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8))))); break; // BINBYTES8
                case ')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case 't': Push(PopMark().ToArray()); break; // TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case ']': Push(new List<object?>()); break; // EMPTY_LIST
                case 'l': Push(PopMark()); break; // LIST
                case 'a': { var item = Pop(); AsList(Peek()).Add(item); break; } // APPEND
                case 'e': { var items = PopMark(); AsList(Peek()).AddRange(items); break; } // APPENDS
                case '}': Push(new PickleDict()); break; // EMPTY_DICT
                case 'd': Push(ToDict(PopMark())); break; // DICT
                case 's': { var value = Pop(); var key = Pop(); AsDict(Peek()).Set(Key(key), value); break; } // SETITEM
                case 'u': // SETITEMS
                {
                    var items = PopMark();
                    var dict = AsDict(Peek());
                    if (items.Count % 2 != 0) throw new PickleFormatException("SETITEMS has an odd number of items.");
                    for (int i = 0; i < items.Count; i += 2) dict.Set(Key(items[i]), items[i + 1]);
                    break;
                }
                case 0x8f: Push(new List<object?>()); break; // EMPTY_SET, read as a list
                case 0x90: { var items = PopMark(); AsList(Peek()).AddRange(items); break; } // ADDITEMS
                case 0x91: Push(PopMark()); break; // FROZENSET
                case 'c': Push(new PickleGlobal(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; Push(new PickleGlobal(module, name)); break; } // STACK_GLOBAL
                case 'R': // REDUCE
                {
                    var args = Pop() as object?[] ?? throw new PickleFormatException("REDUCE arguments are not a tuple.");
                    Push(Call(Pop(), args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw new PickleFormatException("NEWOBJ arguments are not a tuple.");
                    Push(Call(Pop(), args));
                    break;
                }
                case 'b': // BUILD
                {
                    var state = Pop();
                    if (Peek() is PickleDict dict) dict.State = state;
                    else throw new PickleFormatException($"BUILD on {Describe(Peek())} is not supported.");
                    break;
                }
                case 'Q': // BINPERSID
                {
                    var pid = Pop();
                    Push(persistentLoad is null ? throw new PickleFormatException("the pickle has a persistent id but none is expected here.") : persistentLoad(pid));
                    break;
                }
                case 'q': _memo[ReadBytes(1)[0]] = Peek(); break; // BINPUT
                case 'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 'p': _memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break; // PUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case 'h': Push(Memo(ReadBytes(1)[0])); break; // BINGET
                case 'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case 'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break; // GET
                default:
                    throw new PickleFormatException($"opcode 0x{op:x2} at byte {stream.Position - 1} is not one torch.save writes.");
            }
        }
    }

    private object? Call(object? callable, object?[] args) => callable is PickleGlobal global
        ? reduce(global, args)
        : throw new PickleFormatException($"cannot call {Describe(callable)}.");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks[^1] == _stack.Count))
            throw new PickleFormatException("the pickle reads past the bottom of its stack.");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw new PickleFormatException("the pickle closes a MARK it never opened.");
        int at = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(at, _stack.Count - at);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private object? Memo(long index) => _memo.TryGetValue(index, out var v)
        ? v
        : throw new PickleFormatException($"the pickle refers to memo entry {index}, which it never stored.");

    private static List<object?> AsList(object? value) => value as List<object?> ?? throw new PickleFormatException($"cannot append to {Describe(value)}.");

    private static PickleDict AsDict(object? value) => value as PickleDict ?? throw new PickleFormatException($"cannot set items on {Describe(value)}.");

    private static object Key(object? key) => key switch
    {
        null => throw new PickleFormatException("a dict key is None."),
        object?[] => throw new PickleFormatException("tuple dict keys are not supported."),
        _ => key,
    };

    private static PickleDict ToDict(List<object?> items)
    {
        if (items.Count % 2 != 0) throw new PickleFormatException("DICT has an odd number of items.");
        var dict = new PickleDict();
        for (int i = 0; i < items.Count; i += 2) dict.Set(Key(items[i]), items[i + 1]);
        return dict;
    }

    private static object ReadLong(byte[] littleEndianTwosComplement)
    {
        if (littleEndianTwosComplement.Length == 0) return 0L;
        var value = new BigInteger(littleEndianTwosComplement, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private static object ParseTextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => long.Parse(text, CultureInfo.InvariantCulture),
    };

    private static object ParseTextLong(string text)
    {
        var value = BigInteger.Parse(text.TrimEnd('L'), CultureInfo.InvariantCulture);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private static int Length(long length) => length is >= 0 and <= int.MaxValue
        ? (int)length
        : throw new PickleFormatException($"a length of {length} bytes is out of range.");

    private static int Length(ulong length) => length <= int.MaxValue ? (int)length : throw new PickleFormatException($"a length of {length} bytes is out of range.");

    private byte[] ReadBytes(int count)
    {
        var buffer = new byte[count];
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException) { throw new PickleFormatException("the pickle is truncated."); }
        return buffer;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = stream.ReadByte();
            if (b < 0) throw new PickleFormatException("the pickle is truncated inside a text field.");
            if (b == '\n') break;
            bytes.Add((byte)b);
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).TrimEnd('\r');
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => g.FullName,
        _ => value.GetType().Name,
    };
}
