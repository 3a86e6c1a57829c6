using System.Buffers.Binary;
using System.Text;

namespace PaliCuda.Tests.Hostile;

/// <summary>PNG files that claim what they are not, built byte by byte.</summary>
internal static class HostilePng
{
    /// <summary>A well-formed signature, IHDR and IEND claiming <paramref name="width"/> × <paramref name="height"/> RGB pixels, with no pixel data.</summary>
    public static byte[] HeaderOnly(int width, int height)
    {
        var png = new List<byte>([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        AddChunk(png, "IHDR", ihdr);
        AddChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void AddChunk(List<byte> png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.AddRange(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.AddRange(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.AddRange(crc);
    }

    /// <summary>The CRC-32 (IEEE, reflected) that PNG chunks carry.</summary>
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
