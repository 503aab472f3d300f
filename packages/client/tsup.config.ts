import { libraryConfig } from '../../tsup.config.base';

export default libraryConfig({ 'index': 'src/index.ts', 'undici': 'src/undici.ts', 'axios': 'src/axios.ts' });
