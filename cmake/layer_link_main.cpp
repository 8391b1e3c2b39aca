// The main() of the layer link checks (CMakeLists.txt): each links one layer's library
// whole with only the layers it declares; a symbol left undefined fails the link.
int main() { return 0; }
