namespace PaliCuda.Native; internal static class Placeholder { }
