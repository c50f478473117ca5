// Route validators compiled on first use instead of while the app is built: loading Ajv and
// compiling every route's schemas was ~0.35 s of a 1.5 s start-up. The validators are fastify's own
// (@fastify/ajv-compiler, with the app's Ajv options), only compiled later; whatever is still
// uncompiled once the server listens is compiled in the background, a route at a time.
import { createRequire } from 'node:module';

type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type RouteSchema = { schema: unknown; method?: string; url?: string; httpPart?: string };
type Compile = (route: RouteSchema) => Validate;
type BuildValidator = (externalSchemas: unknown, ajvOptions: unknown) => Compile;

/** A `schemaController.compilersFactory.buildValidator` whose validators compile lazily. */
export interface LazyValidators {
  buildValidator: BuildValidator;
  /** Compiles, one per macrotask, every validator not compiled yet. */
  compileRemaining(onError: (err: unknown, route: RouteSchema) => void): void;
  /** Resolves once {@link compileRemaining} has compiled (or failed) every waiting validator. */
  compiled(): Promise<void>;
}

/** Fastify's default validator builder (its own dependency, resolved from fastify). */
function defaultBuilder(): BuildValidator {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const AjvCompiler = fromFastify('@fastify/ajv-compiler') as () => BuildValidator;
  return AjvCompiler();
}

/** Lazy validators over fastify's default Ajv compiler (itself loaded on first use). */
export function lazyValidators(): LazyValidators {
  let builder: BuildValidator | undefined;
  const inner: BuildValidator = (externalSchemas, ajvOptions) =>
    (builder ??= defaultBuilder())(externalSchemas, ajvOptions);
  const waiting = new Map<() => Validate, RouteSchema>();
  let finished!: () => void;
  const allCompiled = new Promise<void>((resolve) => (finished = resolve));
  return {
    buildValidator(externalSchemas, ajvOptions) {
      let compile: Compile | undefined;
      return (route) => {
        let real: Validate | undefined;
        const force = () => {
          waiting.delete(force);
          compile ??= inner(externalSchemas, ajvOptions);
          real ??= compile(route);
          return real;
        };
        waiting.set(force, route);
        const validate: Validate = (data) => {
          const fn = real ?? force();
          const ok = fn(data);
          validate.errors = fn.errors;
          return ok;
        };
        return validate;
      };
    },
    compileRemaining(onError) {
      const next = () => {
        const first = waiting.entries().next();
        if (first.done) return finished();
        const [force, route] = first.value;
        try {
          force();
        } catch (err) {
          waiting.delete(force);
          onError(err, route);
        }
        setImmediate(next).unref();
      };
      setImmediate(next).unref();
    },
    compiled: () => allCompiled,
  };
}
