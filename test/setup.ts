import '../simulator/engine/polyfills';
