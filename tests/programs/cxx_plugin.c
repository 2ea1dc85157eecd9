/* A shared library that cxx_features dlopens: a function, a global with a constructor-time
 * value, and a symbol from libm it pulls in as a dependency. */
#include <math.h>

static int initialised;

__attribute__((constructor)) static void plugin_init(void) { initialised = 42; }

int plugin_initialised(void) { return initialised; }
long plugin_square(long x) { return x * x; }
double plugin_hypot(double a, double b) { return hypot(a, b); }
