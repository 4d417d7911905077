export { TcpProxy } from './tcp-proxy.js';
export { startVirtualBoard, type VirtualBoard } from './virtual-board.js';
