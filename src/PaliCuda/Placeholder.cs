namespace PaliCuda; internal static class Placeholder { }
