/**
 * yaml's parser for the code that needs it only sometimes (the config cache's check), in a module of
 * its own that imports yaml statically and that they load with import(): that keeps yaml out of every other
 * command's start-up. (The bundle refuses a dynamic import of the yaml package itself, as of every bundled
 * package: a CommonJS one loses its named exports that way, and which build the bundle takes is its own choice.)
 */
import { parse } from 'yaml';

/** Parses a config file's text; bounded aliases, as the loader (a billion-laughs file is an error, not a hang). */
export const parseYaml = (text: string, maxAliasCount: number): unknown => parse(text, { maxAliasCount });
